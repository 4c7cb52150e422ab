#include "reviewer/git/history/flat_format.h"

#include <cstring>

namespace reviewer::history::flat {

namespace {

// xxHash64's primes and round: each round is a bijection of the lane for a
// given word and of the word for a given lane, so two inputs of one length
// that differ in one word end in different lanes.
constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ull, kP2 = 0xC2B2AE3D27D4EB4Full, kP3 = 0x165667B19E3779F9ull,
                        kP4 = 0x85EBCA77C2B2AE63ull;

std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

std::uint64_t round(std::uint64_t acc, std::uint64_t word) { return rotl(acc + word * kP2, 31) * kP1; }

std::uint64_t word_at(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

}  // namespace

std::uint64_t checksum(std::string_view bytes) {
  const char* p = bytes.data();
  const std::size_t n = bytes.size();
  // Four lanes so that consecutive multiplies do not wait on each other.
  std::uint64_t lane[4] = {kP1 + kP2, kP2, 0, 0 - kP1};
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int l = 0; l < 4; ++l) lane[l] = round(lane[l], word_at(p + i + 8 * static_cast<std::size_t>(l)));
  }
  std::uint64_t h = rotl(lane[0], 1) + rotl(lane[1], 7) + rotl(lane[2], 12) + rotl(lane[3], 18);
  for (const auto v : lane) h = (h ^ round(0, v)) * kP1 + kP4;
  h += n;
  for (; i + 8 <= n; i += 8) h = rotl(h ^ round(0, word_at(p + i)), 27) * kP1 + kP4;
  if (i < n) {
    char tail[8] = {};
    std::memcpy(tail, p + i, n - i);
    h = rotl(h ^ round(0, word_at(tail)), 27) * kP1 + kP4;
  }
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return h;
}

}  // namespace reviewer::history::flat
