#include "audit/overview_summary.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "audit/history.h"

namespace reviewer::audit {

namespace {

// Pull requests per statement when rows are read again: well under the
// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
constexpr std::size_t kPrsPerRead = 500;

bool key_less(const ChangeKey& a, const ChangeKey& b) {
  return a.repository != b.repository ? a.repository < b.repository : a.pr_number < b.pr_number;
}

// The first `limit` rules by `before`, as the SQL's ORDER BY … LIMIT.
template <typename Less>
std::vector<RuleCount> top_rules(std::vector<RuleCount> rules, Less before, std::size_t limit) {
  std::sort(rules.begin(), rules.end(), before);
  if (rules.size() > limit) rules.resize(limit);
  return rules;
}

}  // namespace

std::uint32_t OverviewSummary::id_of(const std::string& name) { return names_.id_of(name); }

void OverviewSummary::clear() {
  built_ = false;
  mark_ = {};
  names_.clear();
  prs_.clear();
  runs_.clear();
  overrides_.clear();
  votes_.clear();
}

void OverviewSummary::add_merge(const ChangeKey& k, MergedChange m) {
  auto& entry = entry_of(k);
  bool plain = true;
  auto c = compact_merge(m, plain);
  if (!plain) {
    c.odd = static_cast<std::uint32_t>(entry.odd.size());
    entry.odd.push_back(std::move(m));
  }
  entry.merges.push_back(c);
}

void OverviewSummary::add_reverted_rule(const ChangeKey& k, std::uint32_t rule, std::string started_at) {
  entry_of(k).reverted_rules.emplace_back(rule, std::move(started_at));
}

void OverviewSummary::read_requests_and_votes(LogReader& log, std::int64_t after, NameIds& names,
                                              const std::function<void()>& check, TimedList& overrides,
                                              TimedList& votes) {
  const std::vector<Value> params{after};
  log.each(console_sql("summary_overrides.sql"), params, [&](const LogRow& r) {
    check();
    overrides.add(text_value(r.values[1]), names.id_of(text_value(r.values[0])), 0, 1);
  });
  log.each(console_sql("summary_feedback.sql"), params, [&](const LogRow& r) {
    check();
    votes.add(text_value(r.values[3]), names.id_of(text_value(r.values[0])), names.id_of(text_value(r.values[1])),
              int_value(r.values[2]));
  });
}

void OverviewSummary::TimedList::add(const std::string& at, std::uint32_t repo, std::uint32_t label,
                                     std::int64_t value) {
  add(at, plain_seconds(at), repo, label, value);
}

void OverviewSummary::TimedList::add(const std::string& at, std::optional<std::int64_t> seconds, std::uint32_t repo,
                                     std::uint32_t label, std::int64_t value) {
  if (seconds) {
    plain.push_back({*seconds, repo, label, value});
  } else {
    odd.emplace_back(at, Timed{0, repo, label, value});
  }
}

void OverviewSummary::add_sorted(TimedList& v, std::size_t old_size) {
  const auto mid = v.plain.begin() + static_cast<std::ptrdiff_t>(old_size);
  std::sort(mid, v.plain.end(), earlier);
  std::inplace_merge(v.plain.begin(), mid, v.plain.end(), earlier);
}

bool OverviewSummary::extends(LogReader& log, const std::vector<TableLayout>& tables) const {
  if (mark_.seq == 0) return true;  // every log extends the empty one
  // The chain links each row to the one before, so the row at the
  // watermark still hashing as it did means every row up to it is the one
  // the summary read.
  for (const auto& t : tables) {
    std::optional<std::string> hash;
    log.each(fmt::format("SELECT row_hash FROM \"{}\" WHERE seq = ?1", t.name), {mark_.seq},
             [&](const LogRow& r) { hash = text_value(r.values[0]); });
    if (hash) return *hash == mark_.hash;
  }
  return false;
}

std::vector<ChangeKey> OverviewSummary::read_appended(LogReader& log, std::int64_t after, const std::stop_token& stop) {
  const auto check = [&] {
    if (stop.stop_requested()) throw Cancelled();
  };
  const bool any = reread_ == Reread::touched;
  std::vector<ChangeKey> touched;
  const std::vector<Value> params{after};
  const std::size_t runs = runs_.size(), overrides = overrides_.size(), votes = votes_.size();
  const std::size_t plain_runs = runs_.plain.size(), plain_overrides = overrides_.plain.size(),
                    plain_votes = votes_.plain.size();
  log.each(console_sql("summary_runs.sql"), params, [&](const LogRow& r) {
    check();
    ChangeKey k{text_value(r.values[0]), int_value(r.values[1]), ""};
    runs_.add(text_value(r.values[2]), id_of(k.repository), id_of(text_value(r.values[3])), 1);
    if (any) touched.push_back(std::move(k));
  });
  read_requests_and_votes(log, after, names_, check, overrides_, votes_);
  last_rows_ = static_cast<std::int64_t>(runs_.size() - runs + overrides_.size() - overrides + votes_.size() - votes);
  add_sorted(runs_, plain_runs);
  add_sorted(overrides_, plain_overrides);
  add_sorted(votes_, plain_votes);
  log.each(console_sql("summary_pr_events.sql"), params, [&](const LogRow& r) {
    check();
    ++last_rows_;
    if (any || text_value(r.values[2]) == "merged") {
      touched.push_back({text_value(r.values[0]), int_value(r.values[1]), ""});
    }
  });
  if (any) {
    log.each(console_sql("summary_findings.sql"), params, [&](const LogRow& r) {
      check();
      touched.push_back({text_value(r.values[0]), int_value(r.values[1]), ""});
    });
  }
  std::sort(touched.begin(), touched.end(), key_less);
  touched.erase(std::unique(touched.begin(), touched.end(), PrKeyEq()), touched.end());
  return touched;
}

void OverviewSummary::reread(LogReader& log, const std::vector<ChangeKey>& prs, const std::stop_token& stop) {
  const auto add_merge = [&](const ChangeKey& k, MergedChange m) {
    if (stop.stop_requested()) throw Cancelled();
    this->add_merge(k, std::move(m));
  };
  const auto add_rule = [&](const ChangeKey& k, const std::string& rule, std::string started_at) {
    if (stop.stop_requested()) throw Cancelled();
    add_reverted_rule(k, id_of(rule), std::move(started_at));
  };
  last_prs_ = prs.size();
  for (std::size_t at = 0; at < prs.size(); at += kPrsPerRead) {
    const std::vector<ChangeKey> chunk(prs.begin() + static_cast<std::ptrdiff_t>(at),
                                       prs.begin() + static_cast<std::ptrdiff_t>(std::min(prs.size(), at + kPrsPerRead)));
    for (const auto& k : chunk) {
      if (const auto repo = names_.find(k.repository); repo >= 0) prs_.erase({static_cast<std::uint32_t>(repo), k.pr_number});
    }
    each_overview_merge(log, &chunk, add_merge);
    each_reverted_rule_run(log, &chunk, add_rule);
  }
}

struct OverviewSummary::Part : NameIds {
  std::vector<std::pair<ChangeKey, std::pair<std::uint32_t, std::string>>> rules;  // (rule, run start)
  TimedList runs, overrides, votes;  // plain records sorted by `at`
  std::int64_t rows = 0;
};

namespace {

// The reads of a rebuild, largest first, so that readers taking them in
// turn end close together: the merges' three passes (overview_scan.h), the
// rules on reverted changes, and the overrides and votes.
enum class RebuildRead { events, runs, heads, rules, overrides_and_votes };

}  // namespace

void OverviewSummary::rebuild(const std::vector<LogReader*>& readers, const std::stop_token& stop) {
  // On PostgreSQL the runs' read brings their heads too (one sequential scan
  // of review_runs instead of two); SQLite reads each from its own covering
  // index, faster than one scan of the table.
  const bool heads_with_runs = readers[0]->backend() == LogReader::Backend::postgres;
  std::vector jobs{RebuildRead::events, RebuildRead::runs, RebuildRead::heads, RebuildRead::rules,
                   RebuildRead::overrides_and_votes};
  if (heads_with_runs) std::erase(jobs, RebuildRead::heads);
  std::vector<Part> parts(jobs.size());
  MergeScan scan;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};

  // The merges' rows, once the three reads they come from are done; they
  // touch only prs_ and names_, which no read touches (each writes its
  // Part, joined after every reader has ended).
  const auto add_scanned_merges = [&] {
    prs_.reserve(scan.merges());
    // The scan hands the same string for each merge of a repository: its id
    // is looked up once per run of them, not hashed per merge.
    const std::string* last_repository = nullptr;
    std::uint32_t repo = 0;
    scan.each_merge([&](const std::string& repository, std::int64_t pr, const CompactMerge& c, MergedChange* odd) {
      if (stop.stop_requested() || failed.load(std::memory_order_relaxed)) throw Cancelled();
      if (odd) {
        add_merge({repository, pr, ""}, std::move(*odd));
        return;
      }
      if (&repository != last_repository) {
        last_repository = &repository;
        repo = id_of(repository);
      }
      auto& entry = prs_[{repo, pr}];
      entry.repo = repo;
      entry.merges.push_back(c);
    });
  };
  // How many of the merges' reads are still to end: the reader that ends
  // the last builds the rows at once, while the other may still be
  // reading the rules or the votes (it was a step of its own after both
  // readers, on one core).
  std::atomic<int> scans_left{static_cast<int>(std::count_if(jobs.begin(), jobs.end(), [](RebuildRead j) {
    return j == RebuildRead::events || j == RebuildRead::runs || j == RebuildRead::heads;
  }))};
  const auto run = [&](LogReader& log, RebuildRead job, Part& out) {
    const MergeScan::Check check = [&] {
      if (stop.stop_requested() || failed.load(std::memory_order_relaxed)) throw Cancelled();
    };
    switch (job) {
      case RebuildRead::events: scan.read_events(log, check); break;
      case RebuildRead::heads: scan.read_heads(log, check); break;
      case RebuildRead::runs:
        scan.read_runs(log, check, heads_with_runs,
                       [&](const std::string& repo, const std::string& started_at, std::optional<std::int64_t> plain,
                           const std::string& decision) {
                         out.runs.add(started_at, plain, out.id_of(repo), out.id_of(decision), 1);
                       });
        break;
      case RebuildRead::rules:
        each_reverted_rule_run(log, nullptr, [&](const ChangeKey& k, std::string rule, std::string started_at) {
          check();
          out.rules.emplace_back(k, std::make_pair(out.id_of(rule), std::move(started_at)));
        });
        break;
      case RebuildRead::overrides_and_votes:
        read_requests_and_votes(log, 0, out, check, out.overrides, out.votes);
        break;
    }
    out.rows = static_cast<std::int64_t>(out.runs.size() + out.overrides.size() + out.votes.size());
    for (auto* v : {&out.runs, &out.overrides, &out.votes}) std::sort(v->plain.begin(), v->plain.end(), earlier);
    const bool scan_read = job == RebuildRead::events || job == RebuildRead::runs || job == RebuildRead::heads;
    if (scan_read && --scans_left == 0) add_scanned_merges();
  };
  const auto work = [&](LogReader& log, std::exception_ptr& error) {
    try {
      for (auto j = next++; j < jobs.size(); j = next++) run(log, jobs[j], parts[j]);
    } catch (...) {
      error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::exception_ptr> errors(readers.size());
  {
    std::vector<std::jthread> helpers;
    for (std::size_t r = 1; r < readers.size(); ++r) helpers.emplace_back([&, r] { work(*readers[r], errors[r]); });
    work(*readers[0], errors[0]);
  }  // joined
  // The first error that is not another reader's Cancelled: why it failed.
  for (const auto& e : errors) {
    if (!e) continue;
    try {
      std::rethrow_exception(e);
    } catch (const Cancelled&) {
      if (!stop.stop_requested()) continue;
      throw;
    }
  }
  last_rows_ = 0;
  for (auto& p : parts) join(p);
  last_prs_ = prs_.size();
  last_readers_ = static_cast<int>(readers.size());
}

void OverviewSummary::join(Part& part) {
  std::vector<std::uint32_t> id(part.names.size());
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = id_of(part.names[i]);
  for (auto& [k, rule] : part.rules) add_reverted_rule(k, id[rule.first], std::move(rule.second));
  const auto add = [&](TimedList& to, TimedList& from) {
    const std::size_t old_size = to.plain.size();
    const auto remap = [&](Timed& t) {
      t.repo = id[t.repo];
      t.label = id[t.label];
    };
    for (auto& t : from.plain) remap(t);
    for (auto& [at, t] : from.odd) remap(t);
    to.odd.insert(to.odd.end(), std::make_move_iterator(from.odd.begin()), std::make_move_iterator(from.odd.end()));
    if (to.plain.empty()) {
      to.plain = std::move(from.plain);
      return;
    }
    to.plain.insert(to.plain.end(), from.plain.begin(), from.plain.end());
    std::inplace_merge(to.plain.begin(), to.plain.begin() + static_cast<std::ptrdiff_t>(old_size), to.plain.end(),
                       earlier);
  };
  add(runs_, part.runs);
  add(overrides_, part.overrides);
  add(votes_, part.votes);
  last_rows_ += part.rows;
}

OverviewSummary::Update OverviewSummary::update(LogReader& log, const std::vector<TableLayout>& tables,
                                                const ChainHead& head, std::stop_token stop, LogReader* second) {
  try {
    if (built_ && head.seq == mark_.seq && head.hash == mark_.hash) {
      last_rows_ = 0;
      last_prs_ = 0;
      return Update::unchanged;
    }
    if (built_ && head.seq >= mark_.seq && extends(log, tables)) {
      const auto touched = read_appended(log, mark_.seq, stop);
      reread(log, touched, stop);
      mark_ = head;
      return Update::appended;
    }
    clear();
    std::vector<LogReader*> readers{&log};
    if (second) {
      const auto other = read_head(*second, tables);
      if (other.seq == head.seq && other.hash == head.hash) readers.push_back(second);
    }
    rebuild(readers, stop);
    built_ = true;
    mark_ = head;
    return Update::rebuilt;
  } catch (...) {
    clear();
    throw;
  }
}

OverviewRows OverviewSummary::rows(const ConsoleFilter& f) const {
  std::vector<MergedChange> merged;
  // About one merge per pull request: one allocation rather than a
  // doubling vector, whose copies touched twice the memory (in a fresh
  // process every new page is a page fault, ~17 µs each here).
  merged.reserve(prs_.size());
  auto o = rows(f, [&](const CompactMerge& c, const MergedChange* odd) { merged.push_back(expand_merge(c, odd)); });
  o.merged = std::move(merged);
  return o;
}

OverviewRows OverviewSummary::rows(const ConsoleFilter& f, const CompactVisit& merge) const {
  std::vector<char> repo_ok(names_.names.size(), f.repositories.empty() ? 1 : 0);
  for (const auto& r : f.repositories) {
    if (const auto id = names_.find(r); id >= 0) repo_ok[static_cast<std::size_t>(id)] = 1;
  }
  const MergePeriod period(f.since, f.until);
  // Calls fn(record, odd text or null) for each record of `v` in the
  // period and repositories: the plain ones in time order, then the odd.
  const auto each_in_period = [&](const TimedList& v, const auto& fn) {
    auto first = v.plain.begin(), last = v.plain.end();
    const auto bounds = period.plain_bounds();
    if (bounds) {
      first = std::lower_bound(first, last, bounds->first, [](const Timed& t, std::int64_t s) { return t.at < s; });
      last = std::upper_bound(first, last, bounds->second, [](std::int64_t s, const Timed& t) { return s < t.at; });
    }
    for (auto it = first; it != last; ++it) {
      if (repo_ok[it->repo] && (bounds || period.contains(it->at))) fn(*it, nullptr);
    }
    for (const auto& [at, t] : v.odd) {
      if (repo_ok[t.repo] && period.contains(at)) fn(t, &at);
    }
  };
  // Counts per day and label: a plain day's records are adjacent, so each
  // is counted by day number and its date written once; an odd record's
  // day is its text's first ten characters, as the full computation's.
  const auto per_day = [&](const TimedList& v, bool labelled) {
    std::map<std::pair<std::string, std::uint32_t>, std::int64_t> counts;  // (day, label)
    std::map<std::uint32_t, std::int64_t> today;
    std::int64_t day = 0;
    const auto flush = [&] {
      if (today.empty()) return;
      const auto date = seconds_text(day * 86400).substr(0, 10);
      for (const auto& [label, n] : today) counts[{date, label}] += n;
      today.clear();
    };
    each_in_period(v, [&](const Timed& t, const std::string* odd) {
      const std::uint32_t label = labelled ? t.label : 0;
      if (odd) {
        ++counts[{odd->substr(0, 10), label}];
        return;
      }
      const std::chrono::sys_seconds at{std::chrono::seconds(t.at)};
      const auto d = std::chrono::floor<std::chrono::days>(at).time_since_epoch().count();
      if (d != day) {
        flush();
        day = d;
      }
      ++today[label];
    });
    flush();
    std::vector<DayCount> out;
    out.reserve(counts.size());
    for (const auto& [key, n] : counts) out.push_back({key.first, labelled ? names_.names[key.second] : "", n});
    return out;
  };

  OverviewRows o;
  std::map<std::uint32_t, std::int64_t> effective;
  std::vector<std::uint32_t> fired;
  for (const auto& [key, pr] : prs_) {
    if (!repo_ok[pr.repo]) continue;
    for (const auto& m : pr.merges) {
      const MergedChange* odd = m.odd == CompactMerge::kPlain ? nullptr : &pr.odd[m.odd];
      if (period.contains(m, odd)) merge(m, odd);
    }
    fired.clear();
    for (const auto& [rule, started_at] : pr.reverted_rules) {
      if (period.contains(started_at)) fired.push_back(rule);
    }
    std::sort(fired.begin(), fired.end());
    fired.erase(std::unique(fired.begin(), fired.end()), fired.end());
    for (const auto rule : fired) ++effective[rule];
  }
  o.decisions = per_day(runs_, true);
  o.overrides = per_day(overrides_, false);

  std::map<std::uint32_t, std::pair<std::int64_t, std::int64_t>> votes;  // rule -> (unhelpful, helpful)
  each_in_period(votes_, [&](const Timed& t, const std::string*) {
    auto& v = votes[t.label];
    v.first += 1 - t.value;
    v.second += t.value;
  });
  std::vector<RuleCount> noisy, fired_on;
  for (const auto& [rule, v] : votes) {
    if (v.first > 0) noisy.push_back({names_.names[rule], v.first, v.second});
  }
  for (const auto& [rule, n] : effective) fired_on.push_back({names_.names[rule], n, 0});
  o.noisy_rules = top_rules(std::move(noisy), [](const RuleCount& a, const RuleCount& b) {
    if (a.count != b.count) return a.count > b.count;
    if (a.other != b.other) return a.other < b.other;
    return a.rule < b.rule;
  }, 10);
  o.effective_rules = top_rules(std::move(fired_on), [](const RuleCount& a, const RuleCount& b) {
    return a.count != b.count ? a.count > b.count : a.rule < b.rule;
  }, 10);
  return o;
}

}  // namespace reviewer::audit
