// UTC timestamps as GitHub and the audit log write them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace reviewer {

// `t` in UTC as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds). utc_now_iso8601()
// (review_result.h) is this for the current time.
std::string utc_iso8601(std::chrono::system_clock::time_point t);

// The time "YYYY-MM-DDTHH:MM:SSZ" names (the form above; anything after
// the seconds is ignored); nullopt when it is not a valid date and time.
std::optional<std::chrono::system_clock::time_point> parse_utc_iso8601(std::string_view s);
// The same in whole seconds: any year 0000-9999 (system_clock's
// nanoseconds overflow outside 1678-2261).
std::optional<std::chrono::sys_seconds> parse_utc_seconds(std::string_view s);

}  // namespace reviewer
