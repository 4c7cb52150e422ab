// A merge of the overview (console_queries.h MergedChange) kept compact by
// the overview's summary (overview_summary.h): its times parsed once when
// the row is read rather than on every request, and no heap allocation
// per merge (a MergedChange holds four timestamps longer than the small
// string buffer; ~100,000 of them made a fresh process touch ~118 MB).
//
// Exactness: the console's figures and the summary's rows must equal those
// of the full computation (console_overview) for any text the log holds.
// A time is "plain" when it is empty or exactly "YYYY-MM-DDTHH:MM:SSZ"
// with a valid date and a second below 60: for those the seconds give the
// text back, and comparing seconds orders them as comparing the text does.
// A merge with any other time (fractional seconds, an offset, a leap
// second, unparseable text, an empty merged_at) or an approval outside the
// four known ones keeps its original row beside it (`odd`), and its period
// test and merged day come from that text, as the full computation's do.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "audit/console_queries.h"

namespace reviewer::audit {

struct CompactMerge {
  // Seconds since the epoch as parse_utc_iso8601 reads the time; kNone
  // when the text is empty or does not parse.
  static constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::min();
  static constexpr std::uint32_t kPlain = std::numeric_limits<std::uint32_t>::max();
  enum class Approval : std::uint8_t { bot, human, bot_human, none, other };

  std::int64_t merged_at = kNone, opened_at = kNone, person_approved_at = kNone, bot_approved_at = kNone;
  // Where the original row is kept (an index the holder gives), or kPlain.
  std::uint32_t odd = kPlain;
  Approval approval = Approval::none;
  bool reverted = false;
};

// The audit log's text for an approval type ("bot", "human", "bot+human",
// "none").
const char* approval_text(CompactMerge::Approval a);

// `m` compact; `plain` false when its original row must be kept (above).
CompactMerge compact_merge(const MergedChange& m, bool& plain);

// The row back: `odd` when the merge kept one, else rebuilt from the
// seconds (exact for plain times).
MergedChange expand_merge(const CompactMerge& c, const MergedChange* odd);

// The seconds of a plain time `s` (see above); nullopt otherwise.
std::optional<std::int64_t> plain_seconds(std::string_view s);

// "YYYY-MM-DDTHH:MM:SSZ" for `seconds` since the epoch.
std::string seconds_text(std::int64_t seconds);

// The period test of the full computation (merged_at >= since && merged_at
// <= until, compared as text) for compact merges, set up once per request.
class MergePeriod {
 public:
  MergePeriod(const std::string& since, const std::string& until);
  bool contains(const CompactMerge& c, const MergedChange* odd) const;
  // The same for a plain time's seconds, and for any text.
  bool contains(std::int64_t plain) const;
  bool contains(const std::string& text) const { return text >= since_ && text <= until_; }
  // The bounds as seconds, when both are plain (the console's always are).
  std::optional<std::pair<std::int64_t, std::int64_t>> plain_bounds() const {
    if (!since_s_) return std::nullopt;
    return std::make_pair(*since_s_, *until_s_);
  }

 private:
  const std::string &since_, &until_;
  std::optional<std::int64_t> since_s_, until_s_;  // when both bounds are plain
};

}  // namespace reviewer::audit
