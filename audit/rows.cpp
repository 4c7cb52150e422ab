#include "audit/rows.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <variant>

#include <nlohmann/json.hpp>

#include "audit/pack.h"
#include "audit/risk_row.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

// A record's field as a column: its name, the member holding it, and
// whether an empty value means "now" (the *_at fields of records).
template <typename R>
struct Field {
  std::string_view column;
  std::variant<std::string R::*, std::int64_t R::*, int R::*, bool R::*> member;
  bool now_if_empty = false;
};

template <typename R>
Value value_of(const R& r, const Field<R>& f) {
  return std::visit(
      [&](auto m) -> Value {
        const auto& v = r.*m;
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return (f.now_if_empty && v.empty()) ? utc_now_iso8601() : v;
        } else {
          return static_cast<std::int64_t>(v);
        }
      },
      f.member);
}

// The one helper that turns a record into its row.
template <typename R, std::size_t N>
RowValues bind_row(std::string_view table, const R& r, const std::array<Field<R>, N>& fields) {
  RowValues row{table, {}};
  row.columns.reserve(N);
  for (const auto& f : fields) row.columns.emplace_back(f.column, value_of(r, f));
  return row;
}

using D = DeliveryRecord;
constexpr std::array<Field<D>, 7> kDelivery{{{"delivery_id", &D::delivery_id}, {"event", &D::event},
  {"action", &D::action}, {"repository", &D::repository}, {"received_at", &D::received_at, true},
  {"signature_valid", &D::signature_valid}, {"outcome", &D::outcome}}};

using P = PullRequestRecord;
constexpr std::array<Field<P>, 8> kPullRequest{{{"repository", &P::repository}, {"pr_number", &P::number},
  {"title", &P::title}, {"author", &P::author}, {"base_ref", &P::base_ref}, {"head_sha", &P::head_sha},
  {"draft", &P::draft}, {"observed_at", &P::observed_at, true}}};

using A = ActionRecord;
constexpr std::array<Field<A>, 8> kAction{{{"run_id", &A::run_id}, {"repository", &A::repository},
  {"pr_number", &A::pr_number}, {"kind", &A::kind}, {"github_id", &A::github_id},
  {"http_status", &A::http_status}, {"detail", &A::detail}, {"at", &A::at, true}}};

using O = OverrideRecord;
constexpr std::array<Field<O>, 6> kOverride{{{"repository", &O::repository}, {"pr_number", &O::pr_number},
  {"kind", &O::kind}, {"actor", &O::actor}, {"comment_id", &O::comment_id}, {"at", &O::at, true}}};

using F = FeedbackRecord;
constexpr std::array<Field<F>, 8> kFeedback{{{"repository", &F::repository}, {"pr_number", &F::pr_number},
  {"finding_id", &F::finding_id}, {"rule", &F::rule}, {"actor", &F::actor}, {"helpful", &F::helpful},
  {"comment_id", &F::comment_id}, {"at", &F::at, true}}};

using E = PrEventRecord;
constexpr std::array<Field<E>, 9> kPrEvent{{{"repository", &E::repository}, {"pr_number", &E::pr_number},
  {"kind", &E::kind}, {"actor", &E::actor}, {"head_sha", &E::head_sha}, {"merge_sha", &E::merge_sha},
  {"related_pr", &E::related_pr}, {"detail", &E::detail}, {"at", &E::at, true}}};

using L = DeadLetterRecord;
constexpr std::array<Field<L>, 10> kDeadLetter{{{"delivery_id", &L::delivery_id}, {"job_id", &L::job_id},
  {"event", &L::event}, {"kind", &L::kind}, {"repository", &L::repository}, {"pr_number", &L::pr_number},
  {"head_sha", &L::head_sha}, {"attempts", &L::attempts}, {"reason", &L::reason},
  {"parked_at", &L::parked_at, true}}};

using C = CheckResultRecord;
constexpr std::array<Field<C>, 11> kCheckResult{{{"repository", &C::repository}, {"pr_number", &C::pr_number},
  {"head_sha", &C::head_sha}, {"source", &C::source}, {"name", &C::name}, {"app", &C::app},
  {"result", &C::result}, {"url", &C::url}, {"completed_at", &C::completed_at},
  {"observed_at", &C::observed_at, true}, {"trigger", &C::trigger}}};

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

RowValues run_row(const ReviewResult& r) {
  return {"review_runs",
          {{"run_id", r.run_id}, {"repository", r.pr.repository}, {"pr_number", r.pr.number},
           {"title", r.pr.title}, {"author", r.pr.author}, {"trigger", r.trigger},
           {"mode", std::string(to_string(r.mode))}, {"base_ref", r.pr.base_ref},
           {"base_sha", r.pr.base_sha.empty() ? r.diff.base_sha : r.pr.base_sha},
           {"head_sha", r.pr.head_sha.empty() ? r.diff.head_sha : r.pr.head_sha},
           {"draft", std::int64_t{r.pr.draft}}, {"human_review_override", std::int64_t{r.pr.human_review_override}},
           {"guidance_version", r.guidance_version}, {"reviewer_version", r.reviewer_version},
           {"decision", std::string(to_string(r.decision.kind))}, {"reasons", dump(r.decision.reasons)},
           {"size_label", r.size.label}, {"lines_added", std::int64_t{r.size.lines_added}},
           {"lines_deleted", std::int64_t{r.size.lines_deleted}}, {"files", std::int64_t{r.size.files}},
           {"areas", std::int64_t{r.size.areas}}, {"excluded_files", std::int64_t{r.size.excluded_files}},
           {"started_at", r.started_at.empty() ? utc_now_iso8601() : r.started_at},
           {"duration_ms", std::int64_t{r.duration_ms}}}};
}

RowValues agent_row(const std::string& run_id, const AgentReport& a) {
  auto counted = std::count_if(a.findings.begin(), a.findings.end(), [](const Finding& f) { return !f.shadow; });
  return {"agent_results",
          {{"run_id", run_id}, {"agent", a.name}, {"status", std::string(to_string(a.status))},
           {"duration_ms", std::int64_t{a.duration_ms}}, {"finding_count", static_cast<std::int64_t>(counted)},
           {"error", a.error}}};
}

// Shadow rules' findings are audited apart, so `findings` stays exactly
// what was posted and counted.
RowValues finding_row(const std::string& run_id, const std::string& agent, const Finding& f) {
  return {f.shadow ? "shadow_findings" : "findings",
          {{"run_id", run_id}, {"agent", agent}, {"finding_id", f.id}, {"rule", f.rule},
           {"severity", std::string(to_string(f.severity))}, {"path", f.path}, {"line", std::int64_t{f.line}},
           {"end_line", std::int64_t{f.end_line}}, {"message", f.message}, {"evidence", f.evidence},
           {"suggestion", f.suggestion}}};
}

RowValues model_call_row(const std::string& run_id, std::int64_t index, const ModelCallRecord& c) {
  return {"model_calls",
          {{"run_id", run_id}, {"call_index", index}, {"agent", c.agent}, {"kind", c.kind},
           {"provider", c.provider}, {"model", c.model}, {"template_version", c.template_version},
           {"prompt_hash", c.prompt_hash}, {"tokens_in", std::int64_t{c.tokens_in}},
           {"tokens_out", std::int64_t{c.tokens_out}}, {"latency_ms", std::int64_t{c.latency_ms}},
           {"cost_micro_usd", static_cast<std::int64_t>(std::llround(c.cost_usd * 1e6))},
           {"outcome", c.outcome}, {"detail", c.detail}, {"prompt_z", pack_text(c.prompt)},
           {"answer_z", pack_text(c.answer)}}};
}

}  // namespace

std::vector<RowValues> review_rows(const ReviewResult& r) {
  if (r.run_id.empty()) throw Error(Error::Code::internal, "audit: a review without a run id");
  std::vector<RowValues> rows{run_row(r)};
  for (const auto& a : r.agents) {
    rows.push_back(agent_row(r.run_id, a));
    for (const auto& f : a.findings) rows.push_back(finding_row(r.run_id, a.name, f));
  }
  if (r.risk) rows.push_back(risk_row(r.run_id, *r.risk));
  if (r.model) {
    std::int64_t index = 0;
    for (const auto& c : r.model->records) rows.push_back(model_call_row(r.run_id, index++, c));
  }
  return rows;
}

RowValues delivery_row(const DeliveryRecord& r) { return bind_row("deliveries", r, kDelivery); }
RowValues pull_request_row(const PullRequestRecord& r) { return bind_row("pull_requests", r, kPullRequest); }
RowValues action_row(const ActionRecord& r) { return bind_row("actions", r, kAction); }
RowValues override_row(const OverrideRecord& r) { return bind_row("overrides", r, kOverride); }
RowValues feedback_row(const FeedbackRecord& r) { return bind_row("feedback", r, kFeedback); }
RowValues pr_event_row(const PrEventRecord& r) { return bind_row("pr_events", r, kPrEvent); }
RowValues dead_letter_row(const DeadLetterRecord& r) { return bind_row("dead_letters", r, kDeadLetter); }
RowValues check_result_row(const CheckResultRecord& r) { return bind_row("check_results", r, kCheckResult); }

}  // namespace reviewer::audit
