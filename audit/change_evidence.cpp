#include "audit/change_evidence.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "audit/chain.h"

namespace reviewer::audit {

namespace {

// Which rows of each table belong to a change. ?1 repository, ?2
// pr_number, ?3 the local run's id ('' for a pull request).
struct Source {
  const char* table;
  const char* where;
};

constexpr const char* kRunsOfChange =
    "run_id IN (SELECT run_id FROM review_runs WHERE repository = ?1 AND pr_number = ?2 AND (?3 = '' OR run_id = ?3))";
constexpr const char* kOfPullRequest = "?3 = '' AND repository = ?1 AND pr_number = ?2";
constexpr Source kSources[] = {
    {"review_runs", "repository = ?1 AND pr_number = ?2 AND (?3 = '' OR run_id = ?3)"},
    {"agent_results", kRunsOfChange},
    {"findings", kRunsOfChange},
    {"model_calls", kRunsOfChange},
    {"review_risk", kRunsOfChange},
    {"actions", "repository = ?1 AND pr_number = ?2 AND (?3 = '' OR run_id = ?3)"},
    {"pull_requests", kOfPullRequest},
    {"pr_events", kOfPullRequest},
    {"overrides", kOfPullRequest},
    {"feedback", kOfPullRequest},
    {"check_results", kOfPullRequest},
    {"dead_letters", kOfPullRequest},
};

constexpr std::size_t kDeliveries = 50;

// When each table's row happened, for the deliveries' window.
constexpr const char* kTimeColumns[] = {"started_at", "at", "observed_at", "parked_at"};

std::string select_list(const TableLayout& t) {
  std::string cols;
  for (const auto& c : t.columns) cols += fmt::format("\"{}\", ", c);
  return cols + "row_hash";
}

void read_rows(LogReader& log, const TableLayout& t, const std::string& where, const std::vector<Value>& params,
               std::size_t cap, ChangeEvidence& out, bool& cut) {
  std::size_t n = 0;
  log.each(fmt::format("SELECT {} FROM \"{}\" WHERE {} ORDER BY seq LIMIT {}", select_list(t), t.name, where, cap + 1),
           params, [&](const LogRow& r) {
             if (++n > cap) {
               cut = true;
               return;
             }
             EvidenceRow row;
             row.table = t.name;
             row.columns = t.columns;
             row.values.assign(r.values.begin(), r.values.end() - 1);
             if (const auto* h = std::get_if<std::string>(&r.values.back())) row.row_hash = *h;
             row.hash_ok = !r.foreign && fast_sha256_hex(canonical_row(t, row.values)) == row.row_hash;
             if (!row.hash_ok) row.problem = "edited: the row no longer hashes to its row_hash";
             out.rows.push_back(std::move(row));
           });
}

// `column` (row_hash or prev_hash) of every row whose seq is in `seqs`,
// whichever table holds it.
std::map<std::int64_t, std::string> hashes_at(LogReader& log, const std::vector<TableLayout>& tables,
                                              const std::vector<std::int64_t>& seqs, const char* column) {
  std::map<std::int64_t, std::string> out;
  constexpr std::size_t kChunk = 400;
  for (std::size_t from = 0; from < seqs.size(); from += kChunk) {
    std::vector<Value> params;
    std::string in;
    for (std::size_t i = from; i < std::min(seqs.size(), from + kChunk); ++i) {
      params.emplace_back(seqs[i]);
      in += fmt::format("{}?{}", in.empty() ? "" : ", ", params.size());
    }
    std::string sql;
    for (const auto& t : tables) {
      sql += fmt::format("{}SELECT seq, {} FROM \"{}\" WHERE seq IN ({})", sql.empty() ? "" : " UNION ALL ", column,
                         t.name, in);
    }
    log.each(sql, params, [&](const LogRow& r) {
      const auto* seq = std::get_if<std::int64_t>(&r.values[0]);
      const auto* hash = std::get_if<std::string>(&r.values[1]);
      // Two rows with one seq: an insertion; neither can vouch for the next.
      if (seq && hash) out[*seq] = out.count(*seq) ? std::string("duplicate") : *hash;
    });
  }
  return out;
}

void check_links(LogReader& log, const std::vector<TableLayout>& tables, std::vector<EvidenceRow>& rows) {
  std::vector<std::int64_t> previous;
  for (const auto& r : rows) {
    if (r.seq() > 1) previous.push_back(r.seq() - 1);
  }
  const auto hashes = hashes_at(log, tables, previous, "row_hash");
  for (auto& r : rows) {
    const std::string prev = r.text("prev_hash");
    if (r.seq() <= 1) {
      r.link_ok = prev == kGenesisHash;
    } else if (auto it = hashes.find(r.seq() - 1); it == hashes.end()) {
      if (r.problem.empty()) r.problem = fmt::format("row {} before it is missing from the log", r.seq() - 1);
    } else {
      r.link_ok = prev == it->second;
    }
    if (!r.link_ok && r.problem.empty()) {
      r.problem = fmt::format("prev_hash is not the row_hash of row {}: a row was edited, inserted or removed",
                              r.seq() - 1);
    }
  }
}

// The other half of each link: the last row of every run of consecutive
// seqs among the change's rows must be vouched for by the row after it,
// which is another change's (or a delivery outside the window), so
// check_links never sees it. Without this, a row edited and re-hashed
// together with the rest of its run verifies, though `audit verify` finds
// the break at the next seq.
void check_successors(LogReader& log, const std::vector<TableLayout>& tables, ChangeEvidence& e) {
  std::vector<std::size_t> ends;  // indexes of each run's last row
  for (std::size_t i = 0; i < e.rows.size(); ++i) {
    if (i + 1 == e.rows.size() || e.rows[i + 1].seq() != e.rows[i].seq() + 1) ends.push_back(i);
  }
  std::vector<std::int64_t> next;
  for (const auto i : ends) next.push_back(e.rows[i].seq() + 1);
  const auto prev_hashes = hashes_at(log, tables, next, "prev_hash");
  std::int64_t head = -1;  // read only when a successor is missing
  for (const auto i : ends) {
    auto& r = e.rows[i];
    const auto it = prev_hashes.find(r.seq() + 1);
    std::string problem;
    if (it == prev_hashes.end()) {
      if (head < 0) head = read_head(log, tables).seq;
      if (r.seq() == head) {
        e.newest_seq = r.seq();
        continue;
      }
      problem = fmt::format("row {} after it is missing from the log", r.seq() + 1);
    } else if (it->second != r.row_hash) {
      problem = fmt::format("row {} after it does not chain to it (its prev_hash is not this row's row_hash): a row "
                            "was edited and re-hashed, inserted or removed",
                            r.seq() + 1);
    } else {
      continue;
    }
    r.link_ok = false;
    if (r.problem.empty()) r.problem = std::move(problem);
  }
}

}  // namespace

std::int64_t EvidenceRow::seq() const { return integer("seq"); }

std::string EvidenceRow::text(std::string_view column) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] != column) continue;
    if (const auto* s = std::get_if<std::string>(&values[i])) return *s;
    if (const auto* n = std::get_if<std::int64_t>(&values[i])) return std::to_string(*n);
  }
  return "";
}

std::int64_t EvidenceRow::integer(std::string_view column) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] != column) continue;
    if (const auto* n = std::get_if<std::int64_t>(&values[i])) return *n;
  }
  return 0;
}

ChangeEvidence change_evidence(LogReader& log, const ChangeKey& key) {
  ChangeEvidence out;
  const auto tables = log.chained_tables();
  auto layout = [&](std::string_view name) -> const TableLayout* {
    auto it = std::find_if(tables.begin(), tables.end(), [&](const TableLayout& t) { return t.name == name; });
    return it == tables.end() ? nullptr : &*it;
  };
  const std::vector<Value> params{key.repository, key.pr_number, key.run_id};
  for (const auto& s : kSources) {
    if (const auto* t = layout(s.table)) read_rows(log, *t, s.where, params, kRowsPerTable, out, out.truncated);
  }
  // Deliveries of the repository from the change's first row to its last.
  std::string first, last;
  for (const auto& r : out.rows) {
    for (const char* column : kTimeColumns) {
      const std::string at = r.text(column);
      if (at.empty()) continue;
      if (first.empty() || at < first) first = at;
      if (at > last) last = at;
    }
  }
  if (const auto* t = layout("deliveries"); t && key.run_id.empty() && !first.empty()) {
    bool cut = false;
    read_rows(log, *t, "repository = ?1 AND received_at >= ?2 AND received_at <= ?3", {key.repository, first, last},
              kDeliveries, out, cut);
    out.deliveries_cut = cut;
  }
  std::sort(out.rows.begin(), out.rows.end(),
            [](const EvidenceRow& a, const EvidenceRow& b) { return a.seq() < b.seq(); });
  check_links(log, tables, out.rows);
  check_successors(log, tables, out);
  return out;
}

}  // namespace reviewer::audit
