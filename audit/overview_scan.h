// Every merge's overview row, as overview_merged.sql gives it for all time
// (console_queries.h each_overview_merge), computed from three passes over
// narrow covering indexes instead of that query's five index probes per
// merge: the overview's summary (overview_summary.h) reads the whole log
// this way when it starts, where the probes were most of its time.
//
// The rules are overview_merged.sql's (v_merged_prs's): a merge's approval
// is the bot's when the run with the highest seq on the merged head
// decided approve in active mode, a person's when the pull request has an
// `approved` event; reverted when it has a `reverted` event; opened, first
// approved by a person and first approved by the bot (the earliest start
// of an approve run in active mode) are the least of those times, compared
// by bytes. tests/console/test_console_overview_summary.cpp holds the rows
// to console_overview's.
//
// Thread-safety: the three reads may run at once on three threads, each
// through its own LogReader at one head; each_merge() after all three.
//
// Times are kept as seconds and heads as 20 bytes when their text is plain
// (compact_merge.h; 40 lowercase hex digits), the rare other text beside
// them, so that comparing them gives what comparing the text gives.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audit/compact_merge.h"
#include "audit/console_queries.h"
#include "audit/log_reader.h"

namespace reviewer::audit {

// Names (repositories, decisions, rules) interned as dense ids, so rows
// hold a number instead of a string.
struct NameIds {
  std::vector<std::string> names;  // by id
  std::unordered_map<std::string, std::uint32_t> ids;
  // The last id given: rows of one repository (or decision) often come in
  // runs, and comparing with it is cheaper than hashing the name.
  std::uint32_t last = static_cast<std::uint32_t>(-1);
  std::uint32_t id_of(const std::string& name);
  // The id of `name`, or -1 when it was never interned.
  std::int64_t find(const std::string& name) const;
  void clear() {
    names.clear();
    ids.clear();
  }
};

class MergeScan {
 public:
  // Called for each row read; throws to stop the read.
  using Check = std::function<void()>;
  // A review run: repository, start (and its seconds when it is a plain
  // time, compact_merge.h), decision (for the per-day counts).
  using Run = std::function<void(const std::string& repository, const std::string& started_at,
                                 std::optional<std::int64_t> plain, const std::string& decision)>;
  // A merge's row: compact when its times are plain and `odd` is null, else
  // `odd` is its row as text (compact_merge.h's rule) and `compact` unused.
  // `repository` is the read's own name (the same string for each of its
  // merges: no copy per merge).
  using Row = std::function<void(const std::string& repository, std::int64_t pr, const CompactMerge& compact,
                                 MergedChange* odd)>;

  // summary_scan_events.sql: merges, openings, approvals and reverts.
  void read_events(LogReader& log, const Check& check);
  // summary_scan_heads.sql: the latest run on each head.
  void read_heads(LogReader& log, const Check& check);
  // summary_scan_runs.sql: the first approve run in active mode of each
  // pull request; every run is also handed to `run`. `with_heads`:
  // summary_scan_runs_heads.sql, which gives read_heads()'s rows as well.
  void read_runs(LogReader& log, const Check& check, bool with_heads, const Run& run);

  // Every merge, with its pull request, in no set order. Call once, after
  // the three reads: it sorts what they read.
  void each_merge(const Row& row);
  // How many merges each_merge() gives.
  std::size_t merges() const { return merges_.size(); }

  // A time as read: a plain time's seconds ("" as CompactMerge::kNone), or
  // any other text as kOdd plus its index in the read's `odd` texts.
  // Plain times order by seconds as their text does; a comparison with an
  // odd one compares the texts. Public for the tests.
  static constexpr std::int64_t kOdd = std::int64_t{1} << 62;
  static std::int64_t time_of(std::string_view text, std::vector<std::string>& odd);
  static std::string time_text(std::int64_t t, const std::vector<std::string>& odd);
  static bool time_less(std::int64_t a, std::int64_t b, const std::vector<std::string>& odd);

 private:
  // A pull request: its number, then its repository (an id of the read's
  // own names), so that each read sorts its rows by number alone in its own
  // thread and each_merge() walks them side by side.
  struct Key {
    std::int64_t pr = 0;
    std::uint32_t repo = 0;
    bool operator<(const Key& o) const { return pr != o.pr ? pr < o.pr : repo < o.repo; }
    bool operator==(const Key& o) const { return pr == o.pr && repo == o.repo; }
  };
  // A head: 40 lowercase hex digits as their 20 bytes, any other text as an
  // index into the read's `odd` texts. Two heads are the same text when
  // both are bytes and equal, or both are other text and equal (bytes
  // always give back the one hex text they came from).
  struct Sha {
    static constexpr std::uint32_t kBytes = 0xffffffff;
    std::array<std::uint8_t, 20> bytes{};
    std::uint32_t odd = kBytes;
  };
  static Sha sha_of(std::string_view text, std::vector<std::string>& odd);
  // The texts each read keeps beside its fixed-width values (rare).
  struct Read {
    NameIds names;  // its own, interned without a lock
    std::vector<std::uint32_t> repo;  // names' id -> repos_' id
    std::vector<std::string> odd;
  };
  // The id in repos_ of a repository a read names: its keys are those of
  // the other reads as soon as they are read, so that each read sorts its
  // rows in its own thread and each_merge() walks them as they are.
  std::uint32_t repo_id(Read& read, const std::string& name);
  struct Merge {
    Key key;
    std::int64_t at = 0;
    Sha head;
  };
  enum class Kind : std::uint8_t { opened, approved, reverted };
  struct Event {
    Key key;
    std::int64_t at = 0;
    Kind kind = Kind::opened;
  };
  struct Head {
    Key key;
    Sha sha;
    std::int64_t seq = 0;
    bool bot_approved = false;
  };
  struct BotRun {
    Key key;
    std::int64_t started_at = 0;
  };

  // Flat vectors of fixed-width rows sorted by key (no hash map, no heap
  // string per row: their allocations and the fresh memory they touched
  // were most of a start's CPU on the 100,000-change log). Repository
  // names: shared by the reads (they may run on different threads), each
  // read taking the lock only for a name new to it.
  std::mutex repos_mu_;
  NameIds repos_;
  Read events_read_, heads_read_, runs_read_;
  std::vector<Merge> merges_;
  std::vector<Event> events_;  // openings, approvals, reverts
  std::vector<Head> heads_;    // every run's head
  std::vector<BotRun> bot_runs_;  // the approve runs in active mode
};

}  // namespace reviewer::audit
