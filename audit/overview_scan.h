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
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/console_queries.h"
#include "audit/log_reader.h"

namespace reviewer::audit {

// Names (repositories, decisions, rules) interned as dense ids, so rows
// hold a number instead of a string.
struct NameIds {
  std::vector<std::string> names;  // by id
  std::unordered_map<std::string, std::uint32_t> ids;
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
  // A review run: repository, start, decision (for the per-day counts).
  using Run = std::function<void(const std::string& repository, std::string started_at, const std::string& decision)>;

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
  void each_merge(const std::function<void(const ChangeKey&, MergedChange)>& row);
  // How many merges each_merge() gives.
  std::size_t merges() const { return merges_.size(); }

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
  struct Merge {
    Key key;
    std::string at, head;
  };
  enum class Kind : std::uint8_t { opened, approved, reverted };
  struct Event {
    Key key;
    Kind kind;
    std::string at;
  };
  struct Head {
    Key key;
    std::string sha;
    std::int64_t seq = 0;
    bool bot_approved = false;
  };
  struct BotRun {
    Key key;
    std::string started_at;
  };

  // Flat vectors sorted by key (no hash map: their node look-ups and
  // allocations were a third of a start's CPU on the 100,000-change log).
  // Repository names: each read interns its own (they may run on
  // different threads), joined by name in each_merge().
  NameIds event_names_, head_names_, run_names_;
  std::vector<Merge> merges_;
  std::vector<Event> events_;  // openings, approvals, reverts
  std::vector<Head> heads_;    // every run's head
  std::vector<BotRun> bot_runs_;  // the approve runs in active mode
};

}  // namespace reviewer::audit
