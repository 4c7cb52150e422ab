#include "reviewer/core/random.h"

#include <openssl/rand.h>

#include <vector>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) throw Error(Error::Code::internal, "RAND_bytes failed");
  std::string s;
  s.reserve(bytes * 2);
  for (unsigned char c : b) fmt::format_to(std::back_inserter(s), "{:02x}", c);
  return s;
}

}  // namespace reviewer
