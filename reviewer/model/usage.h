// What the model layer did in one review: every provider call and tool
// call, for the audit log and the JSON output's "model" summary.
#pragma once

#include <string>
#include <vector>

namespace reviewer::model {

struct ModelCall {
  std::string agent;
  std::string kind = "chat";     // "chat" (a provider call), "tool", or "validation" (an answer rejected)
  std::string provider;          // tool calls: empty
  std::string model;
  std::string template_version;  // e.g. "logic@1"
  std::string prompt_hash;       // sha256 of the request's prompt text
  long tokens_in = 0;
  long tokens_out = 0;
  long latency_ms = 0;
  double cost_usd = 0;
  // "ok", "timeout", "network", "http-5xx", "rate-limited", "http-4xx",
  // "malformed", "config", "circuit-open", "budget", "invalid-json";
  // tool calls: "ok" or "rejected".
  std::string outcome;
  std::string detail;            // error text, or the tool name and arguments
  // Chat calls: the messages sent after the system prompt, and the reply
  // (text and tool calls). Raw: the pipeline redacts them before audit.
  std::string prompt;
  std::string answer;
};

struct ModelUsage {
  std::vector<ModelCall> calls;
  // Set when some agent asked and no provider answered: the run had no model.
  bool unavailable = false;

  int chat_calls() const;
  int failures() const;
  long tokens_in() const;
  long tokens_out() const;
  double cost_usd() const;
  bool used() const;  // at least one provider call succeeded
};

}  // namespace reviewer::model
