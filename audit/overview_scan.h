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
  // pull request; every run is also handed to `run`.
  void read_runs(LogReader& log, const Check& check, const Run& run);

  // Every merge, with its pull request, in no set order.
  void each_merge(const std::function<void(const ChangeKey&, MergedChange)>& row) const;
  // How many merges each_merge() gives.
  std::size_t merges() const { return merges_.size(); }

 private:
  struct Key {
    std::uint32_t repo = 0;
    std::int64_t pr = 0;
    bool operator==(const Key& o) const { return repo == o.repo && pr == o.pr; }
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const;
  };
  struct Merge {
    Key key;
    std::string at, head;
  };
  struct Facts {
    std::string opened, approved;  // the least `at`; "" when none
    bool has_opened = false, has_approved = false, reverted = false;
  };
  struct Head {
    std::string sha;
    std::int64_t seq = 0;
    bool bot_approved = false;
  };

  // Repository names: each read interns its own (they may run on
  // different threads), joined by name in each_merge().
  NameIds event_names_, head_names_, run_names_;
  std::vector<Merge> merges_;
  std::unordered_map<Key, Facts, KeyHash> facts_;
  std::unordered_map<Key, std::vector<Head>, KeyHash> heads_;
  std::unordered_map<Key, std::string, KeyHash> first_bot_approval_;
};

}  // namespace reviewer::audit
