// The console overview's rows (console_queries.h console_overview) for any
// period and repositories, kept in memory and brought up to date by the
// log's seq: the log is append-only and seq is one sequence over every
// chained table, so the rows appended since the summary's watermark are
// those with a higher seq.
//
// What it keeps: every merge's row (overview_merged.sql) by pull request;
// for reverted pull requests, each rule that fired on one of their runs
// with the run's start; and review runs, /human-review requests and votes
// as (time, repository, label) records, sorted by time, for the per-day
// counts and the noisy rules. Merges and records keep their times as
// seconds, parsed once, with the text only beside odd ones
// (compact_merge.h). An update reads the review runs, pull request
// events, findings, overrides and votes appended since the watermark, adds
// the records, and reads again, with the same SQL narrowed to them, the
// rows of every pull request those rows name: a later revert, a late
// approval, a second merge or a run after the merge changes an older
// merge's row. A log whose row at the watermark no longer has the hash the
// summary saw there (replaced, restored from a backup) is read afresh.
// Reading the whole log (the first update, or afresh) takes the merges'
// rows from passes over covering indexes (overview_scan.h), not from
// overview_merged.sql's probes per merge, and shares its five reads
// between two sessions when the caller gives a second one at the same head.
//
// rows(f) equals console_overview(log, f) on the log at the watermark, up
// to the order of rows the SQL leaves unordered; the equivalence is held
// by tests/console/test_console_overview_summary.cpp.
//
// Thread-safety: the const members may be called from several threads at
// once while no update() runs; the console holds a shared lock to read and
// an exclusive one to update (reviewer/console/live_overview.h).
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/chain.h"
#include "audit/compact_merge.h"
#include "audit/console_queries.h"
#include "audit/log_reader.h"
#include "audit/overview_scan.h"

namespace reviewer::audit {

class OverviewSummary {
 public:
  // What update() did.
  enum class Update { unchanged, appended, rebuilt };

  // Which rows an update reads again. `touched`, the only right one: those
  // of every pull request the appended rows name. `new_merges_only`
  // exists for the tests, to show that their comparison catches a summary
  // that does not update older merges: only pull requests with a merge
  // appended since the watermark are read again.
  enum class Reread { touched, new_merges_only };

  explicit OverviewSummary(Reread reread = Reread::touched) : reread_(reread) {}

  // Thrown by update() once its `stop` is requested.
  struct Cancelled : std::exception {
    const char* what() const noexcept override { return "the overview summary's update was stopped"; }
  };

  // Brings the summary to `head`, the head of the snapshot `log` reads
  // (over `tables`, the chained tables). When it reads the whole log (the
  // first update, or a log replaced) and `second` reads a snapshot at the
  // same head, half of the reading goes through `second` on a thread of
  // its own (two sessions, two cores); `second` at another head is not
  // used. Throws reviewer::Error from the database, and Cancelled once
  // `stop` is requested; after a throw the summary is empty (built()
  // false), never half updated.
  Update update(LogReader& log, const std::vector<TableLayout>& tables, const ChainHead& head,
                std::stop_token stop = {}, LogReader* second = nullptr);

  bool built() const { return built_; }
  // How many readers the last rebuild read through (1 or 2).
  int last_readers() const { return last_readers_; }
  // The head the summary was last brought to.
  const ChainHead& watermark() const { return mark_; }
  // Rows appended and pull requests read again by the last update (a
  // rebuild: every row, every merged pull request).
  std::int64_t last_rows() const { return last_rows_; }
  std::size_t last_prs() const { return last_prs_; }

  // The overview's rows for the filter's period and repositories, as
  // console_overview gives them. Requires built().
  OverviewRows rows(const ConsoleFilter& f) const;
  // The same without copying the merges: `merged` is left empty and each
  // merge of the period is handed to `merge` instead, as the summary keeps
  // it: compact, with its original row when it kept one (`odd`, else null;
  // compact_merge.h). The console counts its figures from them
  // (reviewer/console/charts.h FigureCounter).
  using CompactVisit = std::function<void(const CompactMerge&, const MergedChange* odd)>;
  OverviewRows rows(const ConsoleFilter& f, const CompactVisit& merge) const;

  // A snapshot of the whole summary in the file `path` (overview_summary_file.cpp
  // has its format), so that a process started later loads it and reads
  // only what was appended since its watermark. `identity` names the log
  // it belongs to (the console's: the SQLite file, or the PostgreSQL URL
  // without its password). save() writes a file of its own beside `path`
  // (mode 0600) and renames it over `path`: a reader sees the old file or
  // the new one, never half of one. Requires built(); throws
  // reviewer::Error(io) when it cannot write.
  void save(const std::string& path, const std::string& identity) const;
  // Replaces the summary with the snapshot in `path` when it verifies: the
  // magic, the format version, `identity`, the checksum (SHA-256 of the
  // content) and every size and index inside. Otherwise (missing,
  // truncated, foreign, older, corrupt) returns false and leaves the
  // summary as it was. The file is treated as untrusted bytes: nothing in
  // it can make load() crash or allocate more than the file's size allows.
  // A loaded summary still checks its watermark's row on the next update()
  // (a log replaced since is read afresh). Only a regular file owned by
  // this process's user and writable by no one else is read (a link is not
  // followed, a FIFO not waited on). When it returns false, `refused` (if
  // given) says why: "none" when there is no file, else the check that
  // failed ("checksum mismatch", "another log's", "owned by another user"…).
  bool load(const std::string& path, const std::string& identity, std::string* refused = nullptr);

 private:
  struct PrKeyEq {
    bool operator()(const ChangeKey& a, const ChangeKey& b) const {
      return a.pr_number == b.pr_number && a.repository == b.repository;
    }
  };
  // A pull request in prs_: its repository's id in names_ and its number
  // (no string per key: the map's nodes and look-ups were ~6 % of a
  // start's CPU on the 100,000-change log).
  struct PrKey {
    std::uint32_t repo = 0;
    std::int64_t pr = 0;
    bool operator==(const PrKey&) const = default;
  };
  struct PrKeyIdHash {
    std::size_t operator()(const PrKey& k) const {
      return static_cast<std::size_t>(static_cast<std::uint64_t>(k.pr) * 0x9e3779b97f4a7c15ULL) ^ k.repo;
    }
  };
  struct PrRows {
    std::uint32_t repo = 0;  // into names_.names
    std::vector<CompactMerge> merges;
    std::vector<MergedChange> odd;  // the rows of merges with odd text (CompactMerge::odd indexes it)
    std::vector<std::pair<std::uint32_t, std::string>> reverted_rules;  // (rule, run start), when reverted
  };
  // A review run (label: its decision), a /human-review request (label
  // unused) or a vote (label: the rule; value: helpful), at a plain time
  // (compact_merge.h) kept as seconds: no heap string per record.
  struct Timed {
    std::int64_t at = 0;
    std::uint32_t repo = 0, label = 0;
    std::int64_t value = 0;
  };
  // One kind of record: those at plain times, sorted by seconds (the order
  // of their text), and the few at other text, with it, unsorted.
  struct TimedList {
    std::vector<Timed> plain;
    std::vector<std::pair<std::string, Timed>> odd;
    void add(const std::string& at, std::uint32_t repo, std::uint32_t label, std::int64_t value);
    // The same, `seconds` being plain_seconds(at), already parsed.
    void add(const std::string& at, std::optional<std::int64_t> seconds, std::uint32_t repo, std::uint32_t label,
             std::int64_t value);
    std::size_t size() const { return plain.size() + odd.size(); }
    void clear() {
      plain.clear();
      odd.clear();
    }
  };

  // What one read of a rebuild gives (runs, rules, overrides or votes),
  // with names interned by the part (ids into its `names`), mapped to the
  // summary's when the parts are joined.
  struct Part;

  void clear();
  // The snapshot's content (save/load), without its header.
  std::string serialize(const std::string& identity) const;
  bool deserialize(std::string_view content, const std::string& identity);
  bool extends(LogReader& log, const std::vector<TableLayout>& tables) const;
  // Reads the whole log through `readers` (one or two, at one head).
  void rebuild(const std::vector<LogReader*>& readers, const std::stop_token& stop);
  void join(Part& part);
  // Reads the rows appended after `after`; returns the pull requests
  // they name.
  std::vector<ChangeKey> read_appended(LogReader& log, std::int64_t after, const std::stop_token& stop);
  // Reads again the merges and reverted rules of `prs`.
  void reread(LogReader& log, const std::vector<ChangeKey>& prs, const std::stop_token& stop);
  std::uint32_t id_of(const std::string& name);
  // The pull request's entry (made on first use, its repository set).
  auto& entry_of(const ChangeKey& k) {
    const auto repo = id_of(k.repository);
    auto& entry = prs_[{repo, k.pr_number}];
    entry.repo = repo;
    return entry;
  }
  // A row of `k`'s: a merge, or a rule that fired on a run of a reverted
  // pull request (`rule` an id of names_).
  void add_merge(const ChangeKey& k, MergedChange m);
  void add_reverted_rule(const ChangeKey& k, std::uint32_t rule, std::string started_at);
  // The /human-review requests and votes with a seq above `after`, names
  // interned in `names` (the summary's on an update, a part's on a
  // rebuild), unsorted; `check` is called for each row.
  static void read_requests_and_votes(LogReader& log, std::int64_t after, NameIds& names,
                                      const std::function<void()>& check, TimedList& overrides,
                                      TimedList& votes);
  // Sorts the plain records of `v` from `old_size` on into those before.
  static void add_sorted(TimedList& v, std::size_t old_size);
  // A function object, not a function: std::sort inlines it rather than
  // calling through a pointer (the runs' sort, 117,000 records at start).
  static constexpr auto earlier = [](const Timed& a, const Timed& b) { return a.at < b.at; };

  Reread reread_;
  bool built_ = false;
  ChainHead mark_;
  std::int64_t last_rows_ = 0;
  std::size_t last_prs_ = 0;
  int last_readers_ = 0;
  NameIds names_;  // repositories, decisions and rules
  std::unordered_map<PrKey, PrRows, PrKeyIdHash> prs_;
  TimedList runs_, overrides_, votes_;
};

}  // namespace reviewer::audit
