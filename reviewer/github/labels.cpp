#include "reviewer/github/labels.h"

#include <algorithm>

namespace reviewer::github {
namespace {

bool managed(const std::string& label) {
  return label.rfind("size/", 0) == 0 || label == kApprovedLabel || label == kNeedsHumanLabel;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::vector<std::string> wanted_labels(const ReviewResult& r) {
  std::vector<std::string> out;
  if (!r.size.label.empty()) out.push_back("size/" + r.size.label);
  if (r.decision.kind == DecisionKind::approve) out.push_back(kApprovedLabel);
  if (r.decision.kind == DecisionKind::needs_human) out.push_back(kNeedsHumanLabel);
  return out;
}

LabelChange reconcile_labels(const std::vector<std::string>& current, const std::vector<std::string>& wanted) {
  LabelChange c;
  for (const auto& w : wanted) {
    if (!contains(current, w)) c.add.push_back(w);
  }
  for (const auto& l : current) {
    if (managed(l) && !contains(wanted, l)) c.remove.push_back(l);
  }
  return c;
}

}  // namespace reviewer::github
