#include "reviewer/core/sha256.h"

#include <openssl/evp.h>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

std::string sha256_hex(std::string_view bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw Error(Error::Code::internal, "SHA-256 failed");
  }
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) fmt::format_to(std::back_inserter(out), "{:02x}", md[i]);
  return out;
}

}  // namespace reviewer
