// A YAML "billion laughs" for the tests and the benchmark of untrusted
// guidance: each of ten levels repeats the previous one nine times, so the
// 10^9 strings it stands for fit in under 500 bytes.
#pragma once

#include <string>

#include <fmt/format.h>

namespace reviewer::test {

inline std::string alias_bomb() {
  std::string y = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    y += fmt::format("{0}: &{0} [*{1},*{1},*{1},*{1},*{1},*{1},*{1},*{1},*{1}]\n", c, static_cast<char>(c - 1));
  }
  return y;
}

}  // namespace reviewer::test
