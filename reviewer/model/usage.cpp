#include "reviewer/model/usage.h"

namespace reviewer::model {

int ModelUsage::chat_calls() const {
  int n = 0;
  for (const auto& c : calls) n += c.kind == "chat" && c.outcome != "budget" && c.outcome != "circuit-open";
  return n;
}

int ModelUsage::failures() const {
  int n = 0;
  // Providers skipped (open circuit, budget) were not called: not failures of a call.
  for (const auto& c : calls) {
    n += (c.kind == "chat" && c.outcome != "ok" && c.outcome != "budget" && c.outcome != "circuit-open") ||
         c.kind == "validation";
  }
  return n;
}

long ModelUsage::tokens_in() const {
  long n = 0;
  for (const auto& c : calls) n += c.tokens_in;
  return n;
}

long ModelUsage::tokens_out() const {
  long n = 0;
  for (const auto& c : calls) n += c.tokens_out;
  return n;
}

double ModelUsage::cost_usd() const {
  double n = 0;
  for (const auto& c : calls) n += c.cost_usd;
  return n;
}

bool ModelUsage::used() const {
  for (const auto& c : calls) {
    if (c.kind == "chat" && c.outcome == "ok") return true;
  }
  return false;
}

}  // namespace reviewer::model
