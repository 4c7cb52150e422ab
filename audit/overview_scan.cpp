#include "audit/overview_scan.h"

#include <algorithm>
#include <variant>

#include "audit/history.h"

namespace reviewer::audit {

std::uint32_t NameIds::id_of(const std::string& name) {
  if (last < names.size() && names[last] == name) return last;
  const auto [it, added] = ids.try_emplace(name, static_cast<std::uint32_t>(names.size()));
  if (added) names.push_back(name);
  last = it->second;
  return it->second;
}

std::int64_t NameIds::find(const std::string& name) const {
  const auto it = ids.find(name);
  // Both arms 64-bit: `? -1 : it->second` took the uint32_t's type, and -1
  // came back as 4294967295 (an overview filtered on a repository the log
  // never named wrote past its flags and crashed the console).
  return it == ids.end() ? std::int64_t{-1} : std::int64_t{it->second};
}

namespace {

// A text value without a copy ("" for any other type, as text_value()).
const std::string& text_ref(const Value& v) {
  static const std::string empty;
  const auto* s = std::get_if<std::string>(&v);
  return s ? *s : empty;
}

// Sorts rows by their pull request.
template <typename Row>
void sort_by_key(std::vector<Row>& rows) {
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.key < b.key; });
}

}  // namespace

std::int64_t MergeScan::time_of(std::string_view text, std::vector<std::string>& odd) {
  if (text.empty()) return CompactMerge::kNone;
  if (const auto t = plain_seconds(text)) return *t;
  odd.emplace_back(text);
  return kOdd + static_cast<std::int64_t>(odd.size() - 1);
}

std::string MergeScan::time_text(std::int64_t t, const std::vector<std::string>& odd) {
  if (t == CompactMerge::kNone) return {};
  if (t >= kOdd) return odd[static_cast<std::size_t>(t - kOdd)];
  return seconds_text(t);
}

bool MergeScan::time_less(std::int64_t a, std::int64_t b, const std::vector<std::string>& odd) {
  if (a < kOdd && b < kOdd) return a < b;
  return time_text(a, odd) < time_text(b, odd);
}

MergeScan::Sha MergeScan::sha_of(std::string_view text, std::vector<std::string>& odd) {
  Sha sha;
  // A lowercase hex digit's value, 16 for any other byte.
  static constexpr auto kDigit = [] {
    std::array<std::uint8_t, 256> d{};
    d.fill(16);
    for (int c = '0'; c <= '9'; ++c) d[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
    for (int c = 'a'; c <= 'f'; ++c) d[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
    return d;
  }();
  bool hex = text.size() == 40;
  std::uint8_t bad = 0;
  for (std::size_t i = 0; hex && i < 20; ++i) {
    const auto hi = kDigit[static_cast<unsigned char>(text[2 * i])], lo = kDigit[static_cast<unsigned char>(text[2 * i + 1])];
    bad |= static_cast<std::uint8_t>(hi | lo);
    sha.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  hex = hex && bad < 16;
  if (!hex) {
    sha.bytes = {};
    sha.odd = static_cast<std::uint32_t>(odd.size());
    odd.emplace_back(text);
  }
  return sha;
}

std::uint32_t MergeScan::repo_id(Read& read, const std::string& name) {
  const auto local = read.names.id_of(name);
  if (local < read.repo.size()) return read.repo[local];
  std::lock_guard lock(repos_mu_);
  read.repo.push_back(repos_.id_of(name));
  return read.repo.back();
}

void MergeScan::read_events(LogReader& log, const Check& check) {
  auto& odd = events_read_.odd;
  log.each(console_sql("summary_scan_events.sql"), {}, [&](const LogRow& r) {
    check();
    const Key key{int_value(r.values[1]), repo_id(events_read_, text_ref(r.values[0]))};
    const std::string& kind = text_ref(r.values[2]);
    const std::string& at = text_ref(r.values[3]);
    if (kind == "merged") merges_.push_back({key, time_of(at, odd), sha_of(text_ref(r.values[4]), odd)});
    else if (kind == "opened") events_.push_back({key, time_of(at, odd), Kind::opened});
    else if (kind == "approved") events_.push_back({key, time_of(at, odd), Kind::approved});
    else if (kind == "reverted") events_.push_back({key, 0, Kind::reverted});
  });
  sort_by_key(merges_);
  sort_by_key(events_);
}

void MergeScan::read_heads(LogReader& log, const Check& check) {
  log.each(console_sql("summary_scan_heads.sql"), {}, [&](const LogRow& r) {
    check();
    const bool approve = text_ref(r.values[4]) == "approve" && text_ref(r.values[5]) == "active";
    heads_.push_back({{int_value(r.values[1]), repo_id(heads_read_, text_ref(r.values[0]))},
                      sha_of(text_ref(r.values[2]), heads_read_.odd), int_value(r.values[3]), approve});
  });
  sort_by_key(heads_);
}

void MergeScan::read_runs(LogReader& log, const Check& check, bool with_heads, const Run& run) {
  auto& odd = runs_read_.odd;
  log.each(console_sql(with_heads ? "summary_scan_runs_heads.sql" : "summary_scan_runs.sql"), {},
           [&](const LogRow& r) {
             check();
             const std::string &repo = text_ref(r.values[0]), &decision = text_ref(r.values[3]);
             const Key key{int_value(r.values[1]), repo_id(runs_read_, repo)};
             const std::string& started_at = text_ref(r.values[2]);
             const auto plain = plain_seconds(started_at);
             const bool approve = decision == "approve" && text_ref(r.values[4]) == "active";
             if (approve) bot_runs_.push_back({key, plain ? *plain : time_of(started_at, odd)});
             if (with_heads) heads_.push_back({key, sha_of(text_ref(r.values[5]), odd), int_value(r.values[6]), approve});
             run(repo, started_at, plain, decision);
           });
  sort_by_key(bot_runs_);
  if (with_heads) {
    heads_read_.odd = runs_read_.odd;  // the heads' shas hold the runs' texts
    sort_by_key(heads_);
  }
}

void MergeScan::each_merge(const Row& row) {
  // Every read keyed by repos_' ids and sorted by key in its own thread: a
  // merge finds its own rows by key (a walk by number alone would visit
  // every repository's pull request of that number: repositories squared).
  const auto& event_odd = events_read_.odd;
  // The same head text, each sha with its own read's texts.
  const auto same_sha = [&](const Sha& h, const Sha& m) {
    if (h.odd == Sha::kBytes || m.odd == Sha::kBytes) return h.odd == m.odd && h.bytes == m.bytes;
    return heads_read_.odd[h.odd] == event_odd[m.odd];
  };
  // The least time, as the SQL's min() by bytes; "" is a time like any other.
  const auto keep_least = [](std::int64_t& to, bool& has, std::int64_t at, const std::vector<std::string>& odd) {
    if (!has || time_less(at, to, odd)) to = at;
    has = true;
  };
  // All four sorted by the same keys: one walk through each.
  auto event = events_.begin();
  auto head = heads_.begin();
  auto run = bot_runs_.begin();
  for (const auto& m : merges_) {
    while (event != events_.end() && event->key < m.key) ++event;
    std::int64_t opened_at = CompactMerge::kNone, approved_at = CompactMerge::kNone, bot_at = CompactMerge::kNone;
    bool opened = false, approved = false, reverted = false, bot_run = false;
    for (auto e = event; e != events_.end() && e->key == m.key; ++e) {
      if (e->kind == Kind::opened) keep_least(opened_at, opened, e->at, event_odd);
      else if (e->kind == Kind::approved) keep_least(approved_at, approved, e->at, event_odd);
      else reverted = true;
    }
    while (head != heads_.end() && head->key < m.key) ++head;
    bool bot = false;
    std::int64_t latest = 0;
    bool any = false;
    for (auto h = head; h != heads_.end() && h->key == m.key; ++h) {
      if (!same_sha(h->sha, m.head) || (any && h->seq <= latest)) continue;
      latest = h->seq;
      any = true;
      bot = h->bot_approved;
    }
    while (run != bot_runs_.end() && run->key < m.key) ++run;
    for (auto r = run; r != bot_runs_.end() && r->key == m.key; ++r) {
      keep_least(bot_at, bot_run, r->started_at, runs_read_.odd);
    }
    const std::string& repository = repos_.names[m.key.repo];
    using Approval = CompactMerge::Approval;
    const auto approval = bot ? (approved ? Approval::bot_human : Approval::bot) : (approved ? Approval::human : Approval::none);
    // Plain as compact_merge() has it: a merge time that is not empty, the
    // other times empty or plain (kNone when missing gives "" back).
    if (m.at != CompactMerge::kNone && m.at < kOdd && opened_at < kOdd && approved_at < kOdd && bot_at < kOdd) {
      CompactMerge c;
      c.merged_at = m.at;
      c.opened_at = opened_at;
      c.person_approved_at = approved_at;
      c.bot_approved_at = bot_at;
      c.approval = approval;
      c.reverted = reverted;
      row(repository, m.key.pr, c, nullptr);
      continue;
    }
    MergedChange c{time_text(m.at, event_odd), approval_text(approval), reverted,
                   time_text(opened_at, event_odd), time_text(approved_at, event_odd),
                   time_text(bot_at, runs_read_.odd)};
    row(repository, m.key.pr, {}, &c);
  }
}

}  // namespace reviewer::audit
