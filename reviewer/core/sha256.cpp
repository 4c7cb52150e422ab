#include "reviewer/core/sha256.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

namespace {

std::string hex_of(const unsigned char* bytes, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw Error(Error::Code::internal, "SHA-256 failed");
  }
  return hex_of(md, len);
}

std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view body) {
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(body.data()), body.size(), out.data(), &len) ||
      len != out.size()) {
    throw Error(Error::Code::internal, "HMAC-SHA256 failed in OpenSSL");
  }
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
  const auto raw = hmac_sha256(key, body);
  return hex_of(raw.data(), raw.size());
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace reviewer
