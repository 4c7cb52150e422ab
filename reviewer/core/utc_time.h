// UTC timestamps as GitHub and the audit log write them.
#pragma once

#include <chrono>
#include <string>

namespace reviewer {

// `t` in UTC as "YYYY-MM-DDTHH:MM:SSZ" (whole seconds). utc_now_iso8601()
// (review_result.h) is this for the current time.
std::string utc_iso8601(std::chrono::system_clock::time_point t);

}  // namespace reviewer
