#include "audit/store_base.h"

#include <fmt/format.h>

#include "audit/history.h"
#include "audit/revert.h"
#include "reviewer/core/error.h"

namespace reviewer::audit {

void StoreBase::record_review(const ReviewResult& r) {
  auto rows = review_rows(r);
  write([&](RowSink& s) { append_review(s, r.run_id, rows); });
}

void StoreBase::record_reviews(const std::vector<ReviewResult>& runs) {
  std::vector<std::vector<RowValues>> rows;
  for (const auto& r : runs) rows.push_back(review_rows(r));
  write([&](RowSink& s) {
    for (std::size_t i = 0; i < runs.size(); ++i) append_review(s, runs[i].run_id, rows[i]);
  });
}

void StoreBase::write_one(const RowValues& row) {
  write([&](RowSink& s) { s.append(row); });
}

void StoreBase::append_review(RowSink& sink, const std::string& run_id, const std::vector<RowValues>& rows) {
  try {
    sink.append(rows.front());
  } catch (const std::exception& e) {
    if (is_duplicate_run(e)) {
      throw Error(Error::Code::invalid_input, fmt::format("{}: run {} was already recorded", where(), run_id));
    }
    throw;
  }
  for (std::size_t i = 1; i < rows.size(); ++i) sink.append(rows[i]);
}

bool StoreBase::record_dead_letter(const DeadLetterRecord& d) {
  bool recorded = false;
  write([&](RowSink& s) {
    // Checked inside the write: two reporters cannot both add it.
    bool seen = false;
    s.reader().each("SELECT 1 FROM dead_letters WHERE delivery_id = ?1", {d.delivery_id},
                    [&](const LogRow&) { seen = true; });
    if (seen) return;
    s.append(dead_letter_row(d));
    recorded = true;
  });
  return recorded;
}

std::size_t StoreBase::record_check_results(const std::vector<CheckResultRecord>& records) {
  std::size_t written = 0;
  write([&](RowSink& s) {
    written = 0;
    for (const auto& c : records) {
      // Compared inside the write (which sees the rows appended before it in
      // this same write), so two deliveries cannot both add the same row.
      bool same = false;
      s.reader().each(
          "SELECT app, result, url, completed_at, trigger FROM check_results WHERE repository = ?1 "
          "AND head_sha = ?2 AND source = ?3 AND name = ?4 AND pr_number = ?5 ORDER BY seq DESC LIMIT 1",
          {c.repository, c.head_sha, c.source, c.name, c.pr_number}, [&](const LogRow& r) {
            auto t = [&](std::size_t i) { return text_value(r.values[i]); };
            same = t(0) == c.app && t(1) == c.result && t(2) == c.url && t(3) == c.completed_at && t(4) == c.trigger;
          });
      if (same) continue;
      s.append(check_result_row(c));
      ++written;
    }
  });
  return written;
}

std::vector<std::int64_t> StoreBase::link_reverts(const std::string& repository, std::int64_t reverting_pr,
                                                  std::string_view title, std::string_view body,
                                                  std::string_view at) {
  RevertReference ref = detect_revert(title, body);
  if (!ref.any()) return {};
  std::vector<std::int64_t> originals;
  write([&](RowSink& s) {
    // Resolved inside the write, so two deliveries of the same merge cannot
    // both link it.
    originals = resolve_reverted(s.reader(), repository, reverting_pr, ref);
    for (auto number : originals) {
      s.append(pr_event_row({repository, number, "reverted", "", "", "", reverting_pr, ref.summary(), std::string(at)}));
    }
  });
  return originals;
}

}  // namespace reviewer::audit
