// SHA-256 of bytes, as lowercase hex (OpenSSL underneath).
#pragma once

#include <string>
#include <string_view>

namespace reviewer {

std::string sha256_hex(std::string_view bytes);

}  // namespace reviewer
