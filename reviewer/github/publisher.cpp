#include "reviewer/github/publisher.h"

#include <fmt/format.h>

#include "reviewer/github/check_run.h"
#include "reviewer/github/labels.h"
#include "reviewer/github/markdown.h"
#include "reviewer/github/placement.h"
#include "reviewer/github/skipped.h"
#include "reviewer/report/render.h"

namespace reviewer::github {
namespace {

constexpr std::size_t kMaxBody = 65000;

std::string repo_path(const PublishTarget& t) {
  return fmt::format("/repos/{}/{}", url_encode(t.owner), url_encode(t.repo));
}

// Dry-run shows what active mode would post; shadow only ever comments.
std::string event_for(const ReviewResult& r, const PublishTarget& t, Mode m) {
  if (m == Mode::shadow) return "COMMENT";
  if (r.decision.kind == DecisionKind::approve && t.auto_approve) return "APPROVE";
  if (r.decision.kind == DecisionKind::request_changes) return "REQUEST_CHANGES";
  return "COMMENT";
}

std::vector<Finding> all_findings(const ReviewResult& r) {
  std::vector<Finding> out;
  for (const auto& a : r.agents) out.insert(out.end(), a.findings.begin(), a.findings.end());
  return out;
}

nlohmann::json review_request(const ReviewResult& r, const std::string& event, const Placement& p,
                              bool would_approve, std::size_t max_inline) {
  nlohmann::json comments = nlohmann::json::array();
  for (const auto& c : p.comments) {
    nlohmann::json j = {{"path", c.path}, {"line", c.line}, {"side", c.side}, {"body", c.body}};
    if (c.start_line > 0) {
      j["start_line"] = c.start_line;
      j["start_side"] = c.start_side;
    }
    comments.push_back(std::move(j));
  }
  nlohmann::json body = {{"commit_id", r.pr.head_sha},
                         {"event", event},
                         {"body", review_body(r, p.unplaced, would_approve,
                                              skipped_section(r, p.over_cap, max_inline))}};
  if (!comments.empty()) body["comments"] = std::move(comments);
  return body;
}

bool is_bot(const nlohmann::json& review, const std::string& bot_login) {
  if (bot_login.empty()) return true;
  return review.contains("user") && review["user"].is_object() &&
         review["user"].value("login", std::string()) == bot_login;
}

std::string check_title(const ReviewResult& r) {
  return fmt::format("reviewer: {}", to_string(r.decision.kind));
}

}  // namespace

std::optional<Mode> parse_mode(std::string_view s) {
  if (s == "dry-run") return Mode::dry_run;
  if (s == "shadow") return Mode::shadow;
  if (s == "active") return Mode::active;
  return std::nullopt;
}

std::string_view to_string(Mode m) {
  switch (m) {
    case Mode::dry_run: return "dry-run";
    case Mode::shadow: return "shadow";
    case Mode::active: return "active";
  }
  return "dry-run";
}

std::string review_marker(const std::string& run_id, const std::string& head_sha) {
  return fmt::format("<!-- reviewer:run={} head={} -->", run_id, head_sha);
}

bool has_marker_for(const std::string& body, const std::string& head_sha) {
  static const std::string prefix = "<!-- reviewer:run=";
  if (body.rfind(prefix, 0) != 0 || head_sha.empty()) return false;
  auto end = body.find(" -->");
  if (end == std::string::npos) return false;
  std::string_view marker(body.data(), end);
  auto head = marker.find(" head=");
  return head != std::string_view::npos && marker.substr(head + 6) == head_sha;
}

std::string review_body(const ReviewResult& r, const std::vector<Finding>& unplaced, bool would_approve,
                        const std::string& skipped) {
  std::string body = review_marker(r.run_id, r.pr.head_sha) + "\n";
  if (would_approve) {
    body += "> The policy approves this change; approval is not posted in this mode or repository.\n\n";
  }
  body += render_markdown(r);
  if (!unplaced.empty()) {
    body += "\n\n#### Findings outside the diff\n\n";
    for (const auto& f : unplaced) {
      // Paths are attacker-chosen: escaped, not put in code spans a backtick could close.
      std::string where = f.path.empty() ? std::string("(pull request)")
                                         : f.line > 0 ? fmt::format("{}:{}", markdown_escape(f.path), f.line)
                                                      : markdown_escape(f.path);
      std::string line = fmt::format("- {} **{}** {}: {} ({})\n", where, to_string(f.severity),
                                     markdown_escape(f.rule), markdown_escape(f.message), markdown_escape(f.id));
      body += line;
    }
  }
  if (skipped.empty()) return truncate_utf8(body, kMaxBody);
  // What was skipped must survive the cut: the rest gives way.
  std::string tail = "\n\n" + truncate_utf8(skipped, kMaxBody / 4);
  return truncate_utf8(body, kMaxBody - tail.size()) + tail;
}

Publisher::Publisher(RestClient* client, PublisherOptions options) : client_(client), opt_(std::move(options)) {}

PublishReport Publisher::start(const PublishTarget& t, const std::string& head_sha, const std::string& run_id,
                               Mode mode) {
  PublishReport rep;
  rep.mode = mode;
  if (mode == Mode::shadow) return rep;  // a pilot never gates merges
  PlannedCall call;
  if (opt_.app) {
    call = {"POST", repo_path(t) + "/check-runs",
            {{"name", kCheckName}, {"head_sha", head_sha}, {"status", "in_progress"},
             {"external_id", run_id}, {"started_at", utc_now_iso8601()},
             {"output", {{"title", "reviewer: reviewing"}, {"summary", "The review of this head is running."}}}}};
    if (!t.details_url.empty()) call.body["details_url"] = t.details_url;
  } else {
    call = {"POST", repo_path(t) + "/statuses/" + head_sha,
            {{"state", "pending"}, {"context", kCheckName}, {"description", "Review in progress"}}};
  }
  rep.calls.push_back(call);
  if (mode == Mode::active) {
    Response resp = client_->request(call.method, call.path, call.body);
    rep.calls.back().status = resp.status;
    if (resp.body.is_object() && resp.body.contains("id") && resp.body["id"].is_number_integer()) {
      rep.calls.back().github_id = std::to_string(resp.body["id"].get<std::int64_t>());
    }
  }
  return rep;
}

PublishReport Publisher::abort(const PublishTarget& t, const std::string& head_sha, const PublishReport& started,
                               const std::string& reason, Mode mode) {
  PublishReport rep;
  rep.mode = mode;
  if (mode != Mode::active || started.calls.empty() || !client_) return rep;
  const std::string text = truncate_utf8(
      markdown_escape(reason) + "\n\nNothing was approved. Comment `/review` or re-run this check to try again.",
      kMaxOutputChars);
  PlannedCall call;
  if (opt_.app) {
    const std::string& id = started.calls.front().github_id;
    if (id.empty()) return rep;  // the check run was never created
    call = {"PATCH", repo_path(t) + "/check-runs/" + id,
            {{"status", "completed"}, {"conclusion", "failure"}, {"completed_at", utc_now_iso8601()},
             {"output", {{"title", "reviewer: the review could not finish"}, {"summary", text}}}}};
  } else {
    // GitHub caps a status description at 140 characters.
    call = {"POST", repo_path(t) + "/statuses/" + head_sha,
            {{"state", "error"}, {"context", kCheckName},
             {"description", truncate_utf8("Review could not finish: " + reason, 120)}}};
  }
  rep.calls.push_back(call);
  Response resp = client_->request(call.method, call.path, call.body);
  rep.calls.back().status = resp.status;
  rep.check_conclusion = "failure";
  return rep;
}

PublishReport Publisher::publish(const ReviewResult& r, const PublishTarget& t, Mode mode) {
  PublishReport rep;
  rep.mode = mode;
  if (mode != Mode::dry_run && !client_) throw Error(Error::Code::internal, "publisher: no GitHub client");
  const std::string base = repo_path(t);
  const std::string pr = fmt::format("{}/pulls/{}", base, t.number);
  const std::string head = r.pr.head_sha;
  auto log = [&](const std::string& s) { if (opt_.log) opt_.log(s); };
  auto send = [&](PlannedCall call, const RequestOptions& ro = {}) -> Response {
    rep.calls.push_back(call);
    if (mode == Mode::dry_run) return {};
    Response resp;
    try {
      resp = client_->request(call.method, call.path, call.body, ro);
    } catch (const GitHubError& e) {
      rep.calls.back().status = e.status();  // the audit log keeps refused calls too
      throw;
    }
    rep.calls.back().status = resp.status;
    if (resp.body.is_object() && resp.body.contains("id") && resp.body["id"].is_number_integer()) {
      rep.calls.back().github_id = std::to_string(resp.body["id"].get<std::int64_t>());
    }
    return resp;
  };

  Placement placement = place_findings(all_findings(r), r.diff, opt_.max_inline_comments);
  for (const auto& f : placement.unplaced) rep.unplaced_findings.push_back(f.id);
  rep.review_event = event_for(r, t, mode);
  rep.would_approve = r.decision.kind == DecisionKind::approve && (mode != Mode::active || !t.auto_approve);
  const bool withheld_note = rep.would_approve && rep.review_event != "APPROVE";

  nlohmann::json reviews = nlohmann::json::array();
  if (mode != Mode::dry_run) {
    // Just before posting: a newer push makes this review stale; its own job reviews it.
    Response p = client_->get(pr);
    std::string current = p.body.is_object() && p.body.contains("head") ? p.body["head"].value("sha", "") : "";
    if (!current.empty() && current != head) {
      log(fmt::format("{}#{}: head moved from {} to {}; not posting a stale review", t.repo, t.number, head, current));
      rep.stale = true;
      return rep;
    }
    reviews = client_->get_all(pr + "/reviews");
  }
  // One review per head and outcome: a re-review that reaches the same
  // event posts nothing; a changed one (a /human-review lifted, our approval
  // dismissed) posts the new event.
  const std::string want_state = rep.review_event == "APPROVE"           ? "APPROVED"
                                 : rep.review_event == "REQUEST_CHANGES" ? "CHANGES_REQUESTED"
                                                                         : "COMMENTED";
  bool github_has_ours = false;  // any bot review of this head, whatever its state
  auto find_posted = [&](bool any_state) -> std::int64_t {
    for (const auto& rv : reviews) {
      if (!is_bot(rv, opt_.bot_login) || !has_marker_for(rv.value("body", std::string()), head)) continue;
      github_has_ours = true;
      if (any_state || rv.value("state", std::string()) == want_state) return rv.value("id", std::int64_t{0});
    }
    return 0;
  };

  // 1. The review, once per head and event.
  const std::string repo_name = t.owner + "/" + t.repo;
  std::int64_t posted = mode == Mode::dry_run || t.repost ? 0 : find_posted(false);
  // The ledger covers a review GitHub does not list yet (posted just now,
  // or before a crash); when GitHub lists ours for this head, it decides.
  bool ledger_says = opt_.ledger && mode != Mode::dry_run && !t.repost && !github_has_ours &&
                     opt_.ledger->review_posted(repo_name, t.number, head, rep.review_event);
  if (posted || ledger_says) {
    rep.review_already_posted = true;
    rep.review_id = posted;
    if (posted && opt_.ledger && !opt_.ledger->review_posted(repo_name, t.number, head, rep.review_event)) {
      // Posted before a crash, never recorded: record it now.
      opt_.ledger->record_review(repo_name, t.number, head, posted, rep.review_event);
    }
  } else {
    PlannedCall call{"POST", pr + "/reviews",
                     review_request(r, rep.review_event, placement, withheld_note, opt_.max_inline_comments)};
    Response resp;
    try {
      resp = send(call);
    } catch (const GitHubError& e) {
      if (e.status() == 0 || e.status() >= 500) {
        // GitHub may have acted before the answer was lost: look before posting again.
        reviews = client_->get_all(pr + "/reviews");
        if (std::int64_t id = find_posted(true)) {
          resp.body = {{"id", id}};
        } else {
          resp = send(call);
        }
      } else if (e.status() == 422 && call.body.contains("comments")) {
        // GitHub's diff disagreed with ours on some anchor: keep the review, move comments to the body.
        log(fmt::format("{}#{}: inline comments rejected ({}); posting them in the summary", t.repo, t.number,
                        e.what()));
        Placement none;
        none.unplaced = placement.unplaced;
        for (const auto& f : all_findings(r)) {
          for (const auto& c : placement.comments) {
            if (c.finding_id == f.id) none.unplaced.push_back(f);
          }
        }
        resp = send({"POST", pr + "/reviews",
                     review_request(r, rep.review_event, none, withheld_note, opt_.max_inline_comments)});
      } else {
        throw;
      }
    }
    rep.review_id = resp.body.is_object() ? resp.body.value("id", std::int64_t{0}) : 0;
    if (opt_.ledger && mode != Mode::dry_run) {
      opt_.ledger->record_review(repo_name, t.number, head, rep.review_id, rep.review_event);
    }
  }

  if (mode == Mode::shadow) return rep;  // comments only

  // 2. Our earlier approvals of other heads no longer hold unless this head is approved too.
  if (rep.review_event != "APPROVE") {
    for (const auto& rv : reviews) {
      if (!is_bot(rv, opt_.bot_login) || rv.value("state", std::string()) != "APPROVED") continue;
      if (rv.value("commit_id", std::string()) == head) continue;
      if (rv.value("body", std::string()).rfind("<!-- reviewer:run=", 0) != 0) continue;
      std::int64_t id = rv.value("id", std::int64_t{0});
      send({"PUT", fmt::format("{}/reviews/{}/dismissals", pr, id),
            {{"message", fmt::format("Superseded: reviewer's decision for {} is {}.", head.substr(0, 12),
                                     to_string(r.decision.kind))},
             {"event", "DISMISS"}}});
      rep.dismissed_reviews.push_back(id);
    }
  }

  // 3. Labels: add the missing wanted ones, remove stale ones of our families.
  std::vector<std::string> current;
  if (mode != Mode::dry_run) {
    for (const auto& l : client_->get_all(fmt::format("{}/issues/{}/labels", base, t.number))) {
      if (l.is_object() && l.contains("name") && l["name"].is_string()) current.push_back(l["name"]);
    }
  }
  LabelChange change = reconcile_labels(current, wanted_labels(r));
  if (!change.add.empty()) send({"POST", fmt::format("{}/issues/{}/labels", base, t.number), {{"labels", change.add}}});
  for (const auto& l : change.remove) {
    RequestOptions gone;
    gone.ok_statuses = {404};  // already removed: fine
    send({"DELETE", fmt::format("{}/issues/{}/labels/{}", base, t.number, url_encode(l)), nullptr}, gone);
  }

  // 4. The merge gate.
  rep.check_conclusion = check_conclusion(r.decision.kind, t.human_approved_head);
  if (!opt_.app) {
    std::string state = status_state(r.decision.kind, t.human_approved_head);
    nlohmann::json body = {{"state", state}, {"context", kCheckName},
                           {"description", truncate_utf8(check_title(r) + (state == "pending" ? " (a person must approve)" : ""), 140)}};
    if (!t.details_url.empty()) body["target_url"] = t.details_url;
    send({"POST", fmt::format("{}/statuses/{}", base, head), body});
    return rep;
  }
  std::string summary = truncate_utf8(render_markdown(r), kMaxOutputChars);
  std::vector<nlohmann::json> notes = check_annotations(r);
  std::int64_t run_id = 0;
  if (mode != Mode::dry_run) {
    auto runs = client_->get_all(fmt::format("{}/commits/{}/check-runs?check_name={}&filter=latest", base, head,
                                             kCheckName),
                                 "check_runs");
    for (const auto& run : runs) {
      if (!opt_.bot_login.empty() && run.contains("app") && run["app"].is_object() &&
          run["app"].value("slug", std::string()) + "[bot]" != opt_.bot_login) {
        continue;
      }
      if (run.value("status", std::string()) != "completed") {
        run_id = run.value("id", std::int64_t{0});
      } else if (run.value("external_id", std::string()) == r.run_id) {
        log(fmt::format("{}#{}: check run for run {} already completed", t.repo, t.number, r.run_id));
        return rep;
      }
      break;
    }
  }
  auto output = [&](std::size_t from) {
    nlohmann::json o = {{"title", check_title(r)}, {"summary", summary}};
    nlohmann::json batch = nlohmann::json::array();
    for (std::size_t i = from; i < notes.size() && i < from + kAnnotationsPerRequest; ++i) batch.push_back(notes[i]);
    if (!batch.empty()) o["annotations"] = batch;
    return o;
  };
  nlohmann::json body = {{"status", "completed"}, {"conclusion", rep.check_conclusion},
                         {"completed_at", utc_now_iso8601()}, {"external_id", r.run_id}, {"output", output(0)}};
  if (!t.details_url.empty()) body["details_url"] = t.details_url;
  if (run_id) {
    send({"PATCH", fmt::format("{}/check-runs/{}", base, run_id), body});
  } else {
    body["name"] = kCheckName;
    body["head_sha"] = head;
    Response created = send({"POST", base + "/check-runs", body});
    run_id = created.body.is_object() ? created.body.value("id", std::int64_t{0}) : 0;
  }
  // Annotations append across updates: the rest in batches of 50.
  for (std::size_t from = kAnnotationsPerRequest; from < notes.size(); from += kAnnotationsPerRequest) {
    send({"PATCH", fmt::format("{}/check-runs/{}", base, run_id ? std::to_string(run_id) : "{check_run_id}"),
          {{"output", output(from)}}});
  }
  return rep;
}

}  // namespace reviewer::github
