#include "audit/compact_merge.h"

#include <chrono>

#include <fmt/format.h>

#include "reviewer/core/utc_time.h"

namespace reviewer::audit {

namespace {

using Approval = CompactMerge::Approval;

Approval approval_of(const std::string& a) {
  if (a == "bot") return Approval::bot;
  if (a == "human") return Approval::human;
  if (a == "bot+human") return Approval::bot_human;
  if (a == "none") return Approval::none;
  return Approval::other;
}

// The seconds of a time parse_utc_iso8601 accepts.
std::optional<std::int64_t> seconds_of(std::string_view s) {
  const auto t = parse_utc_seconds(s);
  if (!t) return std::nullopt;
  return static_cast<std::int64_t>(t->time_since_epoch().count());
}

std::int64_t seconds_or_none(const std::string& s) {
  if (s.empty()) return CompactMerge::kNone;
  return seconds_of(s).value_or(CompactMerge::kNone);
}

// Empty, or plain: the text the seconds give back.
bool empty_or_plain(const std::string& s) { return s.empty() || plain_seconds(s); }

std::string text_or_empty(std::int64_t seconds) {
  return seconds == CompactMerge::kNone ? std::string() : seconds_text(seconds);
}

}  // namespace

const char* approval_text(CompactMerge::Approval a) {
  using Approval = CompactMerge::Approval;
  switch (a) {
    case Approval::bot: return "bot";
    case Approval::human: return "human";
    case Approval::bot_human: return "bot+human";
    case Approval::none:
    case Approval::other: break;
  }
  return "none";
}

std::optional<std::int64_t> plain_seconds(std::string_view s) {
  // parse_utc_iso8601 checks the shape up to the seconds and the date; a
  // plain time also ends there with 'Z' and has no leap second (":60"
  // reads as the next minute, whose text sorts differently).
  if (s.size() != 20 || s[19] != 'Z' || s[17] > '5') return std::nullopt;
  return seconds_of(s);
}

std::string seconds_text(std::int64_t seconds) {
  using namespace std::chrono;
  const sys_seconds t{std::chrono::seconds(seconds)};
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

CompactMerge compact_merge(const MergedChange& m, bool& plain) {
  CompactMerge c;
  c.merged_at = seconds_or_none(m.merged_at);
  c.opened_at = seconds_or_none(m.opened_at);
  c.person_approved_at = seconds_or_none(m.person_approved_at);
  c.bot_approved_at = seconds_or_none(m.bot_approved_at);
  c.approval = approval_of(m.approval);
  c.reverted = m.reverted;
  plain = !m.merged_at.empty() && empty_or_plain(m.merged_at) && empty_or_plain(m.opened_at) &&
          empty_or_plain(m.person_approved_at) && empty_or_plain(m.bot_approved_at) &&
          c.approval != Approval::other;
  return c;
}

MergedChange expand_merge(const CompactMerge& c, const MergedChange* odd) {
  if (odd) return *odd;
  return {text_or_empty(c.merged_at), approval_text(c.approval), c.reverted, text_or_empty(c.opened_at),
          text_or_empty(c.person_approved_at), text_or_empty(c.bot_approved_at)};
}

MergePeriod::MergePeriod(const std::string& since, const std::string& until) : since_(since), until_(until) {
  const auto s = plain_seconds(since), u = plain_seconds(until);
  if (s && u) {
    since_s_ = s;
    until_s_ = u;
  }
}

bool MergePeriod::contains(const CompactMerge& c, const MergedChange* odd) const {
  return odd ? contains(odd->merged_at) : contains(c.merged_at);
}

bool MergePeriod::contains(std::int64_t plain) const {
  if (since_s_) return plain >= *since_s_ && plain <= *until_s_;
  // Bounds that are not plain (never from the console's own parameters):
  // compare the time's text as the full computation does.
  return contains(seconds_text(plain));
}

}  // namespace reviewer::audit
