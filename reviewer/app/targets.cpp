// Review targets from webhook payloads (handler.h), as reviewer/github/webhook.h reads them.
#include <fmt/format.h>

#include "reviewer/app/handler.h"
#include "reviewer/core/error.h"
#include "reviewer/github/pull_request.h"
#include "reviewer/github/webhook.h"

namespace reviewer::app {

std::vector<ReviewTarget> review_targets(const std::string& event, const nlohmann::json& payload,
                                         github::RestClient* client) {
  std::vector<ReviewTarget> out;
  if (event == "pull_request") {
    // Validates the fields (40-digit shas, numbers).
    github::PullRequestEvent e = github::parse_pull_request_event(payload);
    ReviewTarget t;
    auto slash = e.repository.find('/');
    if (slash == std::string::npos) {
      throw Error(Error::Code::invalid_input, "webhook payload: 'repository.full_name' is not owner/name");
    }
    t.owner = e.repository.substr(0, slash);
    t.repo = e.repository.substr(slash + 1);
    t.number = e.number;
    t.installation_id = e.installation_id.value_or(0);
    t.clone_url = github::clone_url_of(payload);
    t.pull = github::pull_from_json(payload["pull_request"], e.repository);
    t.trigger = "webhook";
    t.action = e.action;
    out.push_back(std::move(t));
    return out;
  }
  auto rerun = github::parse_rerequest(event, payload);
  if (!rerun) return out;
  std::vector<std::int64_t> numbers = rerun->pull_numbers;
  if (numbers.empty() && client) numbers = github::open_pulls_with_head(*client, rerun->owner, rerun->repo, rerun->head_sha);
  const std::string clone_url = github::clone_url_of(payload);
  for (std::int64_t n : numbers) {
    ReviewTarget t;
    t.owner = rerun->owner;
    t.repo = rerun->repo;
    t.number = n;
    t.installation_id = rerun->installation_id;
    t.clone_url = clone_url;
    t.trigger = "rerequest";  // metadata from the API: the payload has none
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace reviewer::app
