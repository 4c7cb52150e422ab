// One pull request's history in the log (records.h PrHistory), read with
// SQL both backends run alike.
#pragma once

#include <cstdint>
#include <string>

#include "audit/log_reader.h"
#include "audit/records.h"

namespace reviewer::audit {

// Read inside the caller's snapshot, if it holds one. Throws
// reviewer::Error on a database failure.
PrHistory read_history(LogReader& log, const std::string& repository, std::int64_t pr_number);

// A row's value as text ("" unless TEXT) and as an integer (0 unless INTEGER).
std::string text_value(const Value& v);
std::int64_t int_value(const Value& v);

}  // namespace reviewer::audit
