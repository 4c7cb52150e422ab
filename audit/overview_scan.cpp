#include "audit/overview_scan.h"

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

std::size_t MergeScan::KeyHash::operator()(const Key& k) const {
  // Mixed, not pr * 31 + repo: libstdc++ hashes an integer to itself, and
  // (repo 31, pr 0) would share a bucket with (repo 0, pr 1).
  // Distinct for distinct keys (pull request numbers below 2^40), then
  // spread by an odd multiplier.
  return ((static_cast<std::size_t>(k.repo) << 40) ^ static_cast<std::size_t>(k.pr)) * 0x9e3779b97f4a7c15ULL;
}

namespace {

// A text value without a copy ("" for any other type, as text_value()).
const std::string& text_ref(const Value& v) {
  static const std::string empty;
  const auto* s = std::get_if<std::string>(&v);
  return s ? *s : empty;
}

// `to` becomes the least of itself and `at`, by bytes as the SQL's min();
// `has` says whether `to` holds one yet ("" is a time like any other).
void keep_least(std::string& to, bool& has, const std::string& at) {
  if (!has || at < to) to = at;
  has = true;
}

}  // namespace

void MergeScan::read_events(LogReader& log, const Check& check) {
  log.each(console_sql("summary_scan_events.sql"), {}, [&](const LogRow& r) {
    check();
    const Key key{event_names_.id_of(text_ref(r.values[0])), int_value(r.values[1])};
    const std::string& kind = text_ref(r.values[2]);
    if (kind == "merged") {
      merges_.push_back({key, text_ref(r.values[3]), text_ref(r.values[4])});
      return;
    }
    auto& f = facts_[key];
    if (kind == "opened") keep_least(f.opened, f.has_opened, text_ref(r.values[3]));
    else if (kind == "approved") keep_least(f.approved, f.has_approved, text_ref(r.values[3]));
    else if (kind == "reverted") f.reverted = true;
  });
}

void MergeScan::read_heads(LogReader& log, const Check& check) {
  log.each(console_sql("summary_scan_heads.sql"), {}, [&](const LogRow& r) {
    check();
    auto& heads = heads_[{head_names_.id_of(text_ref(r.values[0])), int_value(r.values[1])}];
    const std::string& sha = text_ref(r.values[2]);
    const std::int64_t seq = int_value(r.values[3]);
    const bool approve = text_ref(r.values[4]) == "approve" && text_ref(r.values[5]) == "active";
    for (auto& h : heads) {
      if (h.sha != sha) continue;
      if (seq > h.seq) {
        h.seq = seq;
        h.bot_approved = approve;
      }
      return;
    }
    heads.push_back({sha, seq, approve});
  });
}

void MergeScan::read_runs(LogReader& log, const Check& check, const Run& run) {
  log.each(console_sql("summary_scan_runs.sql"), {}, [&](const LogRow& r) {
    check();
    const std::string &repo = text_ref(r.values[0]), &decision = text_ref(r.values[3]);
    std::string started_at = text_ref(r.values[2]);
    if (decision == "approve" && text_ref(r.values[4]) == "active") {
      const auto [it, added] =
          first_bot_approval_.try_emplace({run_names_.id_of(repo), int_value(r.values[1])}, started_at);
      if (!added && started_at < it->second) it->second = started_at;
    }
    run(repo, std::move(started_at), decision);
  });
}

void MergeScan::each_merge(const std::function<void(const ChangeKey&, MergedChange)>& row) const {
  // Each read's ids of the events' repositories.
  std::vector<std::int64_t> head_id, run_id;
  for (const auto& name : event_names_.names) {
    head_id.push_back(head_names_.find(name));
    run_id.push_back(run_names_.find(name));
  }
  static const Facts none;
  for (const auto& m : merges_) {
    const auto fact = facts_.find(m.key);
    const Facts& f = fact == facts_.end() ? none : fact->second;
    bool bot = false;
    if (head_id[m.key.repo] >= 0) {
      if (const auto it = heads_.find({static_cast<std::uint32_t>(head_id[m.key.repo]), m.key.pr}); it != heads_.end()) {
        for (const auto& h : it->second) {
          if (h.sha == m.head) bot = h.bot_approved;
        }
      }
    }
    std::string bot_at;
    if (run_id[m.key.repo] >= 0) {
      const auto it = first_bot_approval_.find({static_cast<std::uint32_t>(run_id[m.key.repo]), m.key.pr});
      if (it != first_bot_approval_.end()) bot_at = it->second;
    }
    const char* approval = bot ? (f.has_approved ? "bot+human" : "bot") : (f.has_approved ? "human" : "none");
    row({event_names_.names[m.key.repo], m.key.pr, ""}, {m.at, approval, f.reverted, f.opened, f.approved, bot_at});
  }
}

}  // namespace reviewer::audit
