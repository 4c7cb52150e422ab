// Everything the log holds about one change, row by row, each row checked
// against the hash chain: the auditor console's change page and the
// evidence pack (reviewer/console/).
//
// A row "verifies" when re-hashing it (chain.h canonical_row) gives its
// row_hash and its prev_hash is the row_hash of the row before it in the
// whole log (seq - 1, whichever table holds it; 64 zeros for row 1), and
// the row after it (seq + 1, whichever change it belongs to) has its
// row_hash as prev_hash. An edited row fails the first test; a row
// re-hashed after an edit, or inserted, fails a link (its own or its
// successor's, checked on it); a removed row leaves its neighbours' links
// pointing at nothing. The newest row of the log has no successor: it is
// checked against its own hash and its link back only. What one change's rows
// cannot show (a cut tail, a whole rewritten chain) needs `audit verify`
// with a checkpoint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "audit/console_queries.h"
#include "audit/log_reader.h"

namespace reviewer::audit {

struct EvidenceRow {
  std::string table;
  std::vector<std::string> columns;  // every column but row_hash, in declaration order
  std::vector<Value> values;         // parallel to columns
  std::string row_hash;              // as stored
  bool hash_ok = false;              // re-hashing the row gives row_hash
  bool link_ok = false;              // prev_hash is the previous row's row_hash, and the next row's prev_hash is row_hash
  std::string problem;               // why it does not verify; "" when it does

  bool verified() const { return hash_ok && link_ok; }
  std::int64_t seq() const;
  // The value of `column` as text ("" for NULL or a column the table lacks).
  std::string text(std::string_view column) const;
  std::int64_t integer(std::string_view column) const;
};

struct ChangeEvidence {
  std::vector<EvidenceRow> rows;  // in seq order
  bool truncated = false;         // a table had more rows than kRowsPerTable
  bool deliveries_cut = false;    // more deliveries in the window than were read
  std::int64_t newest_seq = 0;    // the seq of the log's newest row when it is one of `rows` (no successor checks it), else 0
};

// Per table, at most this many rows are read (a change with more is cut
// and says so).
inline constexpr std::size_t kRowsPerTable = 500;

// The rows of `key` in every chained table that names a change: the review
// runs (by pull request, or the local run's id) and their agent results,
// findings, model calls and revert risk; actions; pull request snapshots,
// PR events, overrides, feedback, check results and dead letters of the
// pull request; and the deliveries of its repository received while it
// was open (a delivery does not name its pull request), at most 50. Each
// row is verified as above. An unknown change gives no rows.
ChangeEvidence change_evidence(LogReader& log, const ChangeKey& key);

}  // namespace reviewer::audit
