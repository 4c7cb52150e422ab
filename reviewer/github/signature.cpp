#include "reviewer/github/signature.h"

#include <openssl/crypto.h>

#include <array>

#include "reviewer/core/sha256.h"

namespace reviewer::github {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

SignatureCheck verify_signature(std::string_view secret, std::string_view body, std::string_view header) {
  if (header.empty()) return SignatureCheck::missing;
  auto eq = header.find('=');
  if (eq == std::string_view::npos) return SignatureCheck::malformed;
  if (header.substr(0, eq) != "sha256") return SignatureCheck::wrong_algorithm;
  std::string_view hex = header.substr(eq + 1);
  if (hex.size() != 64) return SignatureCheck::malformed;
  std::array<unsigned char, 32> given{};
  for (size_t i = 0; i < 32; ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return SignatureCheck::malformed;
    given[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  auto expected = hmac_sha256(secret, body);
  return CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0 ? SignatureCheck::valid
                                                                            : SignatureCheck::mismatch;
}

const char* to_string(SignatureCheck c) {
  switch (c) {
    case SignatureCheck::valid: return "valid";
    case SignatureCheck::missing: return "missing";
    case SignatureCheck::malformed: return "malformed";
    case SignatureCheck::wrong_algorithm: return "wrong_algorithm";
    case SignatureCheck::mismatch: return "mismatch";
  }
  return "unknown";
}

}  // namespace reviewer::github
