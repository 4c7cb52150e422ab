// Unpredictable tokens (lease tokens, file-name prefixes), from OpenSSL's
// CSPRNG.
#pragma once

#include <cstddef>
#include <string>

namespace reviewer {

// `bytes` random bytes as lowercase hex. Throws Error(internal) if the
// generator fails.
std::string random_hex(std::size_t bytes);

}  // namespace reviewer
