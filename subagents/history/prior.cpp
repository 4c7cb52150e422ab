// The shipped prior: used until a repository has enough labelled history of
// its own: a fit pooled over public repositories (prior_model.inc).
#include "subagents/history/risk_model.h"

namespace reviewer::history {

namespace {
#include "subagents/history/prior_model.inc"
}  // namespace

RiskModel prior_model() { return RiskModel::from_json(nlohmann::json::parse(kPriorModelJson)); }

}  // namespace reviewer::history
