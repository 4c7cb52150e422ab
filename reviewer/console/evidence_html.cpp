#include "reviewer/console/evidence_html.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reviewer/console/html.h"

namespace reviewer::console {

namespace {

using audit::EvidenceRow;

// Rows that belong to a review run and are shown inside it.
bool part_of_run(const std::string& table) {
  return table == "agent_results" || table == "findings" || table == "model_calls" || table == "review_risk";
}

// When a row happened (its own time column), else when it was recorded.
std::string when(const EvidenceRow& r) {
  for (const char* column : {"started_at", "received_at", "at", "observed_at", "parked_at"}) {
    if (auto t = r.text(column); !t.empty()) return t;
  }
  return r.text("recorded_at");
}

std::string badge(const EvidenceRow& r) {
  if (r.verified()) return fmt::format("<span class=\"ok\" title=\"row {}\">✓ verifies</span>", r.seq());
  return fmt::format("<span class=\"bad\">✗ fails verification: {}</span>", escape(r.problem));
}

std::string seq_cell(const EvidenceRow& r) {
  return fmt::format("<td class=\"seq\">row {}<br><code>{}</code></td>", r.seq(), escape(r.row_hash.substr(0, 12)));
}

std::string pr_ref(const std::string& repo, const std::string& pr, bool links) {
  if (!links || pr.empty() || pr == "0") return escape(fmt::format("#{}", pr));
  return fmt::format("<a href=\"/change{}\">#{}</a>", escape(query_string({{"repo", repo}, {"pr", pr}})), escape(pr));
}

std::string reasons(const std::string& json) {
  auto parsed = nlohmann::json::parse(json, nullptr, false);
  if (!parsed.is_array()) return escape(json);
  std::string out;
  for (const auto& r : parsed) out += fmt::format("<li>{}</li>", escape(r.is_string() ? r.get<std::string>() : r.dump()));
  return out.empty() ? "" : "<ul>" + out + "</ul>";
}

std::string describe_event(const EvidenceRow& r, bool links) {
  const std::string kind = r.text("kind"), actor = escape(r.text("actor"));
  const std::string head = escape(r.text("head_sha").substr(0, 12));
  if (kind == "merged") {
    return fmt::format("<strong>Merged</strong> by {}: merge commit <code>{}</code>, head <code>{}</code>", actor,
                       escape(r.text("merge_sha")), head);
  }
  if (kind == "approved") return fmt::format("<strong>Approved</strong> by {} (a person with write access) at head <code>{}</code>", actor, head);
  if (kind == "reverted") {
    return fmt::format("<strong>Reverted</strong> by pull request {}",
                       pr_ref(r.text("repository"), r.text("related_pr"), links));
  }
  std::string out = fmt::format("Pull request <strong>{}</strong>", escape(kind));
  if (!actor.empty()) out += " by " + actor;
  if (!head.empty()) out += fmt::format(", head <code>{}</code>", head);
  if (!r.text("detail").empty()) out += ": " + escape(r.text("detail"));
  return out;
}

std::string describe(const EvidenceRow& r, bool links) {
  const std::string& t = r.table;
  if (t == "deliveries") {
    return fmt::format("Webhook delivery <code>{}</code>: {}{}, signature {}, {}", escape(r.text("delivery_id")),
                       escape(r.text("event")), r.text("action").empty() ? "" : "." + escape(r.text("action")),
                       r.integer("signature_valid") ? "valid" : "<strong>invalid</strong>", escape(r.text("outcome")));
  }
  if (t == "pull_requests") {
    return fmt::format("Pull request seen: “{}” by {}, base {}, head <code>{}</code>{}", escape(r.text("title")),
                       escape(r.text("author")), escape(r.text("base_ref")), escape(r.text("head_sha").substr(0, 12)),
                       r.integer("draft") ? ", draft" : "");
  }
  if (t == "pr_events") return describe_event(r, links);
  if (t == "actions") {
    const int status = static_cast<int>(r.integer("http_status"));
    return fmt::format("Posted <strong>{}</strong>{}{}", escape(r.text("kind")),
                       status ? fmt::format(" (HTTP {})", status) : " (not posted)",
                       r.text("detail").empty() ? "" : ": " + escape(r.text("detail").substr(0, 500)));
  }
  if (t == "overrides") {
    return fmt::format("<strong>/human-review{}</strong> by {}", r.text("kind") == "cancel" ? " cancel" : "",
                       escape(r.text("actor")));
  }
  if (t == "feedback") {
    return fmt::format("Vote by {}: finding {} of rule {} was {}", escape(r.text("actor")), escape(r.text("finding_id")),
                       escape(r.text("rule")), r.integer("helpful") ? "helpful" : "<strong>not helpful</strong>");
  }
  if (t == "check_results") {
    const std::string name = r.text("name");
    return fmt::format("Check {} {} ({}): <strong>{}</strong>{}", escape(r.text("source")),
                       external_link(r.text("url"), name), escape(r.text("app")), escape(r.text("result")),
                       r.text("completed_at").empty() ? ", not completed"
                                                      : ", completed " + escape(r.text("completed_at")));
  }
  if (t == "dead_letters") {
    return fmt::format("Job parked after {} attempts: {}", r.integer("attempts"), escape(r.text("reason")));
  }
  return escape(t);
}

std::string run_details(const EvidenceRow& run, const std::vector<const EvidenceRow*>& parts) {
  std::string out = fmt::format(
      "<strong>Review run</strong> <code>{}</code>: decision <strong>{}</strong> ({} mode, {}), head <code>{}</code>, "
      "base <code>{}</code>, size {} ({} lines), guidance {}, reviewer {}, {} ms{}",
      escape(run.text("run_id")), escape(run.text("decision")), escape(run.text("mode")), escape(run.text("trigger")),
      escape(run.text("head_sha").substr(0, 12)), escape(run.text("base_sha").substr(0, 12)),
      escape(run.text("size_label")), run.integer("lines_added") + run.integer("lines_deleted"),
      escape(run.text("guidance_version")), escape(run.text("reviewer_version")), run.integer("duration_ms"),
      reasons(run.text("reasons")));
  if (parts.empty()) return out;
  out += "<table class=\"parts\">";
  for (const auto* p : parts) {
    std::string what;
    if (p->table == "agent_results") {
      what = fmt::format("agent {}: {} in {} ms, {} findings{}", escape(p->text("agent")), escape(p->text("status")),
                         p->integer("duration_ms"), p->integer("finding_count"),
                         p->text("error").empty() ? "" : " — " + escape(p->text("error")));
    } else if (p->table == "findings") {
      what = fmt::format("finding <code>{}</code> {} {} at {}:{}: {}", escape(p->text("finding_id").substr(0, 12)),
                         escape(p->text("severity")), escape(p->text("rule")), escape(p->text("path")),
                         p->integer("line"), escape(p->text("message")));
    } else if (p->table == "model_calls") {
      what = fmt::format("model call {} ({} {}, {}): {}, {} tokens in, {} out", p->integer("call_index"),
                         escape(p->text("provider")), escape(p->text("model")), escape(p->text("kind")),
                         escape(p->text("outcome")), p->integer("tokens_in"), p->integer("tokens_out"));
    } else {
      what = fmt::format("revert risk {} against threshold {} (millionths), {}{}", escape(p->text("probability_micro")),
                         escape(p->text("threshold_micro")), escape(p->text("model")),
                         p->integer("above_threshold") ? ": above the threshold" : "");
    }
    out += fmt::format("<tr>{}<td>{}</td><td>{}</td></tr>", seq_cell(*p), what, badge(*p));
  }
  return out + "</table>";
}

}  // namespace

std::string change_title(const audit::ChangeKey& key) {
  if (!key.run_id.empty()) return fmt::format("{} — local run {}", key.repository, key.run_id);
  return fmt::format("{} #{}", key.repository, key.pr_number);
}

std::size_t failed_rows(const audit::ChangeEvidence& e) {
  return static_cast<std::size_t>(
      std::count_if(e.rows.begin(), e.rows.end(), [](const EvidenceRow& r) { return !r.verified(); }));
}

std::string evidence_html(const audit::ChangeKey& key, const audit::ChangeEvidence& e, bool links) {
  (void)key;
  std::map<std::string, std::vector<const EvidenceRow*>> parts;  // run_id -> its rows
  std::vector<const EvidenceRow*> entries;
  for (const auto& r : e.rows) {
    if (part_of_run(r.table)) parts[r.text("run_id")].push_back(&r);
    else entries.push_back(&r);
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const EvidenceRow* a, const EvidenceRow* b) { return when(*a) < when(*b); });
  const std::size_t failed = failed_rows(e);
  std::string out =
      failed == 0
          ? fmt::format("<p class=\"verify ok\">All {} rows of this change verify against the hash chain.</p>",
                        e.rows.size())
          : fmt::format("<p class=\"verify bad\">{} of {} rows of this change FAIL verification against the hash "
                        "chain: the log was changed after they were written.</p>",
                        failed, e.rows.size());
  if (e.newest_seq) {
    out += fmt::format("<p class=\"note\">Row {} is the newest row of the log: checked against its own hash and "
                       "its link back only, as no later row vouches for it yet.</p>",
                       e.newest_seq);
  }
  if (e.truncated) out += "<p class=\"note\">A table held more rows for this change than are shown.</p>";
  out += "<table class=\"timeline\"><tr><th>row</th><th>when</th><th>what</th><th>chain</th></tr>";
  for (const auto* r : entries) {
    const std::string what = r->table == "review_runs" ? run_details(*r, parts[r->text("run_id")]) : describe(*r, links);
    out += fmt::format("<tr class=\"{}\">{}<td class=\"when\">{}</td><td>{}</td><td>{}</td></tr>", escape(r->table), seq_cell(*r),
                       escape(when(*r)), what, badge(*r));
  }
  out += "</table>";
  if (e.deliveries_cut) {
    out += "<p class=\"note\">More webhook deliveries of this repository arrived while the change was open than are "
           "shown.</p>";
  }
  return out;
}

}  // namespace reviewer::console
