// `/change?repo=R&pr=N` (a pull request) or `/change?repo=R&run=ID` (a
// local `reviewer review` run): the change's evidence, row by row, each
// checked against the hash chain.
#include <fmt/format.h>

#include "audit/change_evidence.h"
#include "reviewer/console/evidence_html.h"
#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"

namespace reviewer::console {

namespace {

audit::ChangeKey change_key(const Params& p) {
  p.only({"repo", "pr", "run"});
  audit::ChangeKey key{p.get("repo"), 0, p.get("run")};
  if (key.repository.empty() || key.repository.size() > 200) {
    throw BadRequest("repo is required: the change's repository (owner/name)");
  }
  if (p.has("pr") == !key.run_id.empty()) throw BadRequest("give exactly one of pr (a pull request) and run (a local run)");
  if (key.run_id.empty()) {
    key.pr_number = integer_param("pr", p.get("pr"), 1, std::numeric_limits<std::int32_t>::max(), 0);
  } else if (key.run_id.size() > 128) {
    throw BadRequest("run is longer than 128 bytes");
  }
  return key;
}

}  // namespace

HttpAnswer change_page(PageContext& c) {
  const auto key = change_key(c.params);
  const auto evidence = audit::change_evidence(c.log(), key);
  if (evidence.rows.empty()) {
    return error_page(404, "No such change", fmt::format("The log holds nothing about {}.", change_title(key)),
                      c.user);
  }
  return html_answer(200, page({change_title(key), c.user, false}, evidence_html(key, evidence, true)));
}

}  // namespace reviewer::console
