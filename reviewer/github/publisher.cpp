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

// Reads of GitHub's answers (untrusted): a missing, null or mistyped
// member reads as empty, never as a JSON library exception.
const nlohmann::json& member_at(const nlohmann::json& j, const char* key) {
  static const nlohmann::json none;
  if (!j.is_object()) return none;
  auto it = j.find(key);
  return it == j.end() ? none : *it;
}

std::string text_at(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = member_at(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::int64_t id_at(const nlohmann::json& j) {
  const nlohmann::json& v = member_at(j, "id");
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

bool is_bot(const nlohmann::json& review, const std::string& bot_login) {
  if (bot_login.empty()) return true;
  return text_at(member_at(review, "user"), "login") == bot_login;
}

std::string check_title(const ReviewResult& r) {
  return fmt::format("reviewer: {}", to_string(r.decision.kind));
}

// Sends `call`, filling in GitHub's status and the id of what it returned
// (a refused call keeps its status too: the audit log records it).
Response request(RestClient& client, PlannedCall& call, const RequestOptions& ro = {}) {
  Response resp;
  try {
    resp = client.request(call.method, call.path, call.body, ro);
  } catch (const GitHubError& e) {
    call.status = e.status();
    throw;
  }
  call.status = resp.status;
  if (resp.body.is_object() && resp.body.contains("id") && resp.body["id"].is_number_integer()) {
    call.github_id = std::to_string(resp.body["id"].get<std::int64_t>());
  }
  return resp;
}

// Our latest check run `reviewer` for `head` (GitHub lists the newest
// first; other Apps' runs of that name are skipped), or null.
nlohmann::json latest_check_run(RestClient& client, const PublishTarget& t, const std::string& head,
                                const std::string& bot_login) {
  auto runs = client.get_all(
      fmt::format("{}/commits/{}/check-runs?check_name={}&filter=latest", repo_path(t), head, kCheckName),
      "check_runs");
  for (const auto& run : runs) {
    if (!run.is_object()) continue;
    if (!bot_login.empty() && member_at(run, "app").is_object() &&
        text_at(member_at(run, "app"), "slug") + "[bot]" != bot_login) {
      continue;
    }
    return run;
  }
  return nullptr;
}


// One publish(): the review, dismissals, labels and gate for one head, in
// that order. Each step sends its calls (in dry-run only lists them) into
// the report.
class PublishRun {
 public:
  PublishRun(RestClient* client, const PublisherOptions& opt, const ReviewResult& r, const PublishTarget& t,
             Mode mode)
      : client_(client), opt_(opt), r_(r), t_(t), mode_(mode), base_(repo_path(t)),
        pr_(fmt::format("{}/pulls/{}", base_, t.number)), head_(r.pr.head_sha),
        placement_(place_findings(all_findings(r), r.diff, opt.max_inline_comments)) {
    rep_.mode = mode;
    for (const auto& f : placement_.unplaced) rep_.unplaced_findings.push_back(f.id);
    rep_.review_event = event_for(r, t, mode);
    rep_.would_approve = r.decision.kind == DecisionKind::approve && (mode != Mode::active || !t.auto_approve);
    withheld_note_ = rep_.would_approve && rep_.review_event != "APPROVE";
    want_state_ = rep_.review_event == "APPROVE"           ? "APPROVED"
                  : rep_.review_event == "REQUEST_CHANGES" ? "CHANGES_REQUESTED"
                                                           : "COMMENTED";
  }

  PublishReport run() {
    if (mode_ != Mode::dry_run) {
      if (head_moved()) return rep_;
      reviews_ = client_->get_all(pr_ + "/reviews");
    }
    post_review();
    if (mode_ == Mode::shadow) return rep_;  // comments only
    if (rep_.review_event != "APPROVE") dismiss_earlier_approvals();
    update_labels();
    if (opt_.app) {
      complete_check_run();
    } else {
      post_status();
    }
    return rep_;
  }

 private:
  void log(const std::string& s) const {
    if (opt_.log) opt_.log(s);
  }

  // Records the call and, unless in dry-run, sends it.
  Response send(PlannedCall call, const RequestOptions& ro = {}) {
    rep_.calls.push_back(std::move(call));
    if (mode_ == Mode::dry_run) return {};
    return request(*client_, rep_.calls.back(), ro);
  }

  // Just before posting: a newer push makes this review stale; its own job reviews it.
  bool head_moved() {
    Response p = client_->get(pr_);
    std::string current = text_at(member_at(p.body, "head"), "sha");
    if (current.empty() || current == head_) return false;
    log(fmt::format("{}#{}: head moved from {} to {}; not posting a stale review", t_.repo, t_.number, head_, current));
    rep_.stale = true;
    return true;
  }

  // Our review of this head among reviews_: with the wanted state, or any
  // state. Notes whether GitHub lists any of ours for the head.
  std::int64_t find_posted(bool any_state) {
    for (const auto& rv : reviews_) {
      if (!is_bot(rv, opt_.bot_login) || !has_marker_for(text_at(rv, "body"), head_)) continue;
      github_has_ours_ = true;
      if (any_state || text_at(rv, "state") == want_state_) return id_at(rv);
    }
    return 0;
  }

  // 1. The review, once per head and outcome: a re-review that reaches the
  // same event posts nothing; a changed one (a /human-review lifted, our
  // approval dismissed) posts the new event.
  void post_review() {
    const std::string repo_name = t_.owner + "/" + t_.repo;
    std::int64_t posted = mode_ == Mode::dry_run || t_.repost ? 0 : find_posted(false);
    // The ledger covers a review GitHub does not list yet (posted just now,
    // or before a crash); when GitHub lists ours for this head, it decides.
    bool ledger_says = opt_.ledger && mode_ != Mode::dry_run && !t_.repost && !github_has_ours_ &&
                       opt_.ledger->review_posted(repo_name, t_.number, head_, rep_.review_event);
    if (posted || ledger_says) {
      rep_.review_already_posted = true;
      rep_.review_id = posted;
      if (posted && opt_.ledger && !opt_.ledger->review_posted(repo_name, t_.number, head_, rep_.review_event)) {
        // Posted before a crash, never recorded: record it now.
        opt_.ledger->record_review(repo_name, t_.number, head_, posted, rep_.review_event);
      }
      return;
    }
    Response resp = send_review();
    rep_.review_id = id_at(resp.body);
    if (opt_.ledger && mode_ != Mode::dry_run) {
      opt_.ledger->record_review(repo_name, t_.number, head_, rep_.review_id, rep_.review_event);
    }
  }

  Response send_review() {
    PlannedCall call{"POST", pr_ + "/reviews",
                     review_request(r_, rep_.review_event, placement_, withheld_note_, opt_.max_inline_comments)};
    try {
      return send(call);
    } catch (const GitHubError& e) {
      if (e.status() == 0 || e.status() >= 500) {
        // GitHub may have acted before the answer was lost: look before posting again.
        reviews_ = client_->get_all(pr_ + "/reviews");
        if (std::int64_t id = find_posted(true)) {
          Response found;
          found.body = {{"id", id}};
          return found;
        }
        return send(call);
      }
      if (e.status() != 422 || !call.body.contains("comments")) throw;
      // GitHub's diff disagreed with ours on some anchor: keep the review, move comments to the body.
      log(fmt::format("{}#{}: inline comments rejected ({}); posting them in the summary", t_.repo, t_.number,
                      e.what()));
      Placement none;
      none.unplaced = placement_.unplaced;
      for (const auto& f : all_findings(r_)) {
        for (const auto& c : placement_.comments) {
          if (c.finding_id == f.id) none.unplaced.push_back(f);
        }
      }
      return send({"POST", pr_ + "/reviews",
                   review_request(r_, rep_.review_event, none, withheld_note_, opt_.max_inline_comments)});
    }
  }

  // 2. Our earlier approvals of other heads no longer hold unless this head is approved too.
  void dismiss_earlier_approvals() {
    for (const auto& rv : reviews_) {
      if (!is_bot(rv, opt_.bot_login) || text_at(rv, "state") != "APPROVED") continue;
      if (text_at(rv, "commit_id") == head_) continue;
      if (text_at(rv, "body").rfind("<!-- reviewer:run=", 0) != 0) continue;
      std::int64_t id = id_at(rv);
      send({"PUT", fmt::format("{}/reviews/{}/dismissals", pr_, id),
            {{"message", fmt::format("Superseded: reviewer's decision for {} is {}.", head_.substr(0, 12),
                                     to_string(r_.decision.kind))},
             {"event", "DISMISS"}}});
      rep_.dismissed_reviews.push_back(id);
    }
  }

  // 3. Labels: add the missing wanted ones, remove stale ones of our families.
  void update_labels() {
    std::vector<std::string> current;
    if (mode_ != Mode::dry_run) {
      for (const auto& l : client_->get_all(fmt::format("{}/issues/{}/labels", base_, t_.number))) {
        if (l.is_object() && l.contains("name") && l["name"].is_string()) current.push_back(l["name"]);
      }
    }
    LabelChange change = reconcile_labels(current, wanted_labels(r_));
    if (!change.add.empty()) {
      send({"POST", fmt::format("{}/issues/{}/labels", base_, t_.number), {{"labels", change.add}}});
    }
    for (const auto& l : change.remove) {
      RequestOptions gone;
      gone.ok_statuses = {404};  // already removed: fine
      send({"DELETE", fmt::format("{}/issues/{}/labels/{}", base_, t_.number, url_encode(l)), nullptr}, gone);
    }
  }

  // 4. The merge gate with a plain token: the commit status `reviewer`.
  void post_status() {
    rep_.check_conclusion = check_conclusion(r_.decision.kind, t_.human_approved_head);
    std::string state = status_state(r_.decision.kind, t_.human_approved_head);
    nlohmann::json body = {
        {"state", state},
        {"context", kCheckName},
        {"description", truncate_utf8(check_title(r_) + (state == "pending" ? " (a person must approve)" : ""), 140)}};
    if (!t_.details_url.empty()) body["target_url"] = t_.details_url;
    send({"POST", fmt::format("{}/statuses/{}", base_, head_), body});
  }

  // Our latest check run for the head still running (its id), or 0; sets
  // `finished` when the run for this very review was completed already.
  std::int64_t running_check_run(bool& finished) {
    if (mode_ == Mode::dry_run) return 0;
    const nlohmann::json run = latest_check_run(*client_, t_, head_, opt_.bot_login);
    if (!run.is_object()) return 0;
    if (text_at(run, "status") != "completed") return id_at(run);
    if (text_at(run, "external_id") == r_.run_id) {
      log(fmt::format("{}#{}: check run for run {} already completed", t_.repo, t_.number, r_.run_id));
      finished = true;
    }
    return 0;
  }

  // 4. The merge gate with App credentials: the check run `reviewer`
  // completed (the running one updated, else a new one), annotations in
  // batches of 50 (they append across updates).
  void complete_check_run() {
    rep_.check_conclusion = check_conclusion(r_.decision.kind, t_.human_approved_head);
    const std::string summary = truncate_utf8(render_markdown(r_), kMaxOutputChars);
    const std::vector<nlohmann::json> notes = check_annotations(r_);
    bool finished = false;
    std::int64_t run_id = running_check_run(finished);
    if (finished) return;
    auto output = [&](std::size_t from) {
      nlohmann::json o = {{"title", check_title(r_)}, {"summary", summary}};
      nlohmann::json batch = nlohmann::json::array();
      for (std::size_t i = from; i < notes.size() && i < from + kAnnotationsPerRequest; ++i) batch.push_back(notes[i]);
      if (!batch.empty()) o["annotations"] = batch;
      return o;
    };
    nlohmann::json body = {{"status", "completed"}, {"conclusion", rep_.check_conclusion},
                           {"completed_at", utc_now_iso8601()}, {"external_id", r_.run_id}, {"output", output(0)}};
    if (!t_.details_url.empty()) body["details_url"] = t_.details_url;
    if (run_id) {
      send({"PATCH", fmt::format("{}/check-runs/{}", base_, run_id), body});
    } else {
      body["name"] = kCheckName;
      body["head_sha"] = head_;
      Response created = send({"POST", base_ + "/check-runs", body});
      run_id = id_at(created.body);
    }
    for (std::size_t from = kAnnotationsPerRequest; from < notes.size(); from += kAnnotationsPerRequest) {
      send({"PATCH", fmt::format("{}/check-runs/{}", base_, run_id ? std::to_string(run_id) : "{check_run_id}"),
            {{"output", output(from)}}});
    }
  }

  RestClient* client_;
  const PublisherOptions& opt_;
  const ReviewResult& r_;
  const PublishTarget& t_;
  const Mode mode_;
  const std::string base_, pr_, head_;
  const Placement placement_;
  PublishReport rep_;
  bool withheld_note_ = false;
  std::string want_state_;
  nlohmann::json reviews_ = nlohmann::json::array();
  bool github_has_ours_ = false;  // any bot review of this head, whatever its state
};

}  // namespace

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
  if (mode == Mode::active) request(*client_, rep.calls.back());
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
  request(*client_, rep.calls.back());
  rep.check_conclusion = "failure";
  return rep;
}

std::string repo_path(const PublishTarget& t) {
  return fmt::format("/repos/{}/{}", url_encode(t.owner), url_encode(t.repo));
}

Response Publisher::send(std::string_view kind, PlannedCall call, Mode mode, bool shadow_ok,
                         const RequestOptions& options) {
  if (mode == Mode::shadow && !shadow_ok) return {};  // a pilot never gates, labels or dismisses
  if (mode == Mode::dry_run) {
    if (opt_.on_call) opt_.on_call(kind, call, false);
    return {};
  }
  if (!client_) throw Error(Error::Code::internal, "publisher: no GitHub client");
  Response r = request(*client_, call, options);
  if (opt_.on_call) opt_.on_call(kind, call, true);
  return r;
}

void Publisher::set_gate(const PublishTarget& t, const std::string& head, const std::string& conclusion,
                         const std::string& title, const std::string& summary, Mode mode) {
  if (!opt_.app) {
    std::string state = conclusion == "success" ? "success" : conclusion == "failure" ? "failure" : "pending";
    send("check_run", {"POST", fmt::format("{}/statuses/{}", repo_path(t), head),
                       {{"state", state}, {"context", kCheckName}, {"description", truncate_utf8(title, 140)}}},
         mode);
    return;
  }
  nlohmann::json body = {{"status", "completed"},
                         {"conclusion", conclusion},
                         {"completed_at", utc_now_iso8601()},
                         {"output", {{"title", title}, {"summary", truncate_utf8(summary, kMaxOutputChars)}}}};
  // Read in every mode, so a dry-run records the very call active mode would send.
  const nlohmann::json run = client_ ? latest_check_run(*client_, t, head, opt_.bot_login) : nlohmann::json();
  if (run.is_object() && run.contains("id") && run["id"].is_number_integer()) {
    send("check_run", {"PATCH", fmt::format("{}/check-runs/{}", repo_path(t), run["id"].get<std::int64_t>()), body},
         mode);
  } else {
    body["name"] = kCheckName;
    body["head_sha"] = head;
    send("check_run", {"POST", repo_path(t) + "/check-runs", body}, mode);
  }
}

std::string Publisher::gate_conclusion(const PublishTarget& t, const std::string& head) {
  if (!opt_.app || !client_) return {};
  const nlohmann::json run = latest_check_run(*client_, t, head, opt_.bot_login);
  auto text = [&](const char* key) {
    return run.contains(key) && run[key].is_string() ? run[key].get<std::string>() : std::string();
  };
  return text("status") == "completed" ? text("conclusion") : std::string();
}

PublishReport Publisher::publish(const ReviewResult& r, const PublishTarget& t, Mode mode) {
  if (mode != Mode::dry_run && !client_) throw Error(Error::Code::internal, "publisher: no GitHub client");
  return PublishRun(client_, opt_, r, t, mode).run();
}

}  // namespace reviewer::github
