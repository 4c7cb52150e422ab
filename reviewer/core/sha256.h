// SHA-256 and HMAC-SHA256 of bytes, as lowercase hex (OpenSSL underneath),
// and the constant-time comparison that secrets are checked with.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace reviewer {

std::string sha256_hex(std::string_view bytes);

// HMAC-SHA256 of `body` keyed with `key`: the 32 raw bytes, and as
// lowercase hex. Throw Error(internal) if OpenSSL fails.
std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view body);
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

// a == b, in time that depends only on the lengths (CRYPTO_memcmp): for
// comparing a secret, or a value derived from one, with what a client sent.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace reviewer
