// GitHub webhook signatures: X-Hub-Signature-256 is "sha256=" followed by
// the hex HMAC-SHA256 of the exact raw body, keyed with the webhook secret.
#pragma once

#include <string>
#include <string_view>

#include "reviewer/core/sha256.h"

namespace reviewer::github {

// Lower-case hex HMAC-SHA256 of `body` keyed with `secret`.
using reviewer::hmac_sha256_hex;

enum class SignatureCheck { valid, missing, malformed, wrong_algorithm, mismatch };

// Checks `header` (the X-Hub-Signature-256 value, empty when absent)
// against `body`. The comparison is constant-time (CRYPTO_memcmp); only
// "sha256=" with 64 hex digits is accepted (never the SHA-1 header).
SignatureCheck verify_signature(std::string_view secret, std::string_view body, std::string_view header);

// "missing", "malformed", ... for logs and metrics labels.
const char* to_string(SignatureCheck c);

}  // namespace reviewer::github
