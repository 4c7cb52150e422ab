#include "audit/overview_scan.h"

#include <algorithm>
#include <variant>

#include "audit/history.h"

namespace reviewer::audit {

std::uint32_t NameIds::id_of(const std::string& name) {
  const auto [it, added] = ids.try_emplace(name, static_cast<std::uint32_t>(names.size()));
  if (added) names.push_back(name);
  return it->second;
}

std::int64_t NameIds::find(const std::string& name) const {
  const auto it = ids.find(name);
  return it == ids.end() ? -1 : it->second;
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

void MergeScan::read_events(LogReader& log, const Check& check) {
  log.each(console_sql("summary_scan_events.sql"), {}, [&](const LogRow& r) {
    check();
    const Key key{int_value(r.values[1]), event_names_.id_of(text_ref(r.values[0]))};
    const std::string& kind = text_ref(r.values[2]);
    const std::string& at = text_ref(r.values[3]);
    if (kind == "merged") merges_.push_back({key, at, text_ref(r.values[4])});
    else if (kind == "opened") events_.push_back({key, Kind::opened, at});
    else if (kind == "approved") events_.push_back({key, Kind::approved, at});
    else if (kind == "reverted") events_.push_back({key, Kind::reverted, {}});
  });
  sort_by_key(merges_);
  sort_by_key(events_);
}

void MergeScan::read_heads(LogReader& log, const Check& check) {
  log.each(console_sql("summary_scan_heads.sql"), {}, [&](const LogRow& r) {
    check();
    const bool approve = text_ref(r.values[4]) == "approve" && text_ref(r.values[5]) == "active";
    heads_.push_back({{int_value(r.values[1]), head_names_.id_of(text_ref(r.values[0]))}, text_ref(r.values[2]),
                      int_value(r.values[3]), approve});
  });
  sort_by_key(heads_);
}

void MergeScan::read_runs(LogReader& log, const Check& check, bool with_heads, const Run& run) {
  log.each(console_sql(with_heads ? "summary_scan_runs_heads.sql" : "summary_scan_runs.sql"), {},
           [&](const LogRow& r) {
             check();
             const std::string &repo = text_ref(r.values[0]), &decision = text_ref(r.values[3]);
             const Key key{int_value(r.values[1]), run_names_.id_of(repo)};
             std::string started_at = text_ref(r.values[2]);
             const bool approve = decision == "approve" && text_ref(r.values[4]) == "active";
             if (approve) bot_runs_.push_back({key, started_at});
             if (with_heads) heads_.push_back({key, text_ref(r.values[5]), int_value(r.values[6]), approve});
             run(repo, std::move(started_at), decision);
           });
  sort_by_key(bot_runs_);
  if (with_heads) {
    head_names_ = run_names_;  // the heads' keys hold the runs' ids
    sort_by_key(heads_);
  }
}

void MergeScan::each_merge(const std::function<void(const ChangeKey&, MergedChange)>& row) {
  // The heads' and runs' repository ids as the events' (-1: not there).
  const auto as_events = [&](const NameIds& names) {
    std::vector<std::int64_t> to;
    for (const auto& name : names.names) to.push_back(event_names_.find(name));
    return to;
  };
  // The heads and runs re-keyed by the events' repository ids (a row whose
  // repository has no event matches no merge) and sorted again, so that a
  // merge finds its own by key: a walk by number alone would visit every
  // repository's pull request of that number (repositories squared). Once:
  // their names are then the events'.
  const auto rekey = [&](auto& rows, NameIds& names) {
    const auto to = as_events(names);
    std::erase_if(rows, [&](const auto& r) { return to[r.key.repo] < 0; });
    for (auto& r : rows) r.key.repo = static_cast<std::uint32_t>(to[r.key.repo]);
    sort_by_key(rows);
    names = event_names_;
  };
  rekey(heads_, head_names_);
  rekey(bot_runs_, run_names_);
  // All four sorted by the same keys: one walk through each.
  auto event = events_.begin();
  auto head = heads_.begin();
  auto run = bot_runs_.begin();
  for (const auto& m : merges_) {
    while (event != events_.end() && event->key < m.key) ++event;
    MergedChange c{m.at, "", false, "", "", ""};
    bool opened = false, approved = false;
    // The least time, by bytes as the SQL's min(); "" is a time like any other.
    const auto keep_least = [](std::string& to, bool& has, const std::string& at) {
      if (!has || at < to) to = at;
      has = true;
    };
    for (auto e = event; e != events_.end() && e->key == m.key; ++e) {
      if (e->kind == Kind::opened) keep_least(c.opened_at, opened, e->at);
      else if (e->kind == Kind::approved) keep_least(c.person_approved_at, approved, e->at);
      else c.reverted = true;
    }
    while (head != heads_.end() && head->key < m.key) ++head;
    bool bot = false;
    std::int64_t latest = 0;
    bool any = false;
    for (auto h = head; h != heads_.end() && h->key == m.key; ++h) {
      if (h->sha != m.head || (any && h->seq <= latest)) continue;
      latest = h->seq;
      any = true;
      bot = h->bot_approved;
    }
    while (run != bot_runs_.end() && run->key < m.key) ++run;
    bool bot_at = false;
    for (auto r = run; r != bot_runs_.end() && r->key == m.key; ++r) keep_least(c.bot_approved_at, bot_at, r->started_at);
    c.approval = bot ? (approved ? "bot+human" : "bot") : (approved ? "human" : "none");
    row({event_names_.names[m.key.repo], m.key.pr, ""}, std::move(c));
  }
}

}  // namespace reviewer::audit
