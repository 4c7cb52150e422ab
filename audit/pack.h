// Compact storage of long redacted texts (model prompts and answers):
// zlib deflate, then base64 so the column stays TEXT and the canonical row
// encoding of the hash chain is unchanged. Auditors read them with the SQL
// function unpack(x), registered on every audit connection.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;

namespace reviewer::audit {

// The largest text unpack() will rebuild: a bomb in a tampered row cannot
// exhaust memory.
inline constexpr std::size_t kMaxUnpacked = 64u << 20;

std::string pack_text(std::string_view text);
// nullopt when `packed` is not something pack_text wrote.
std::optional<std::string> unpack_text(std::string_view packed);

// Registers unpack(x) (deterministic, NULL for NULL or malformed input).
void register_unpack_function(sqlite3* db);

}  // namespace reviewer::audit
