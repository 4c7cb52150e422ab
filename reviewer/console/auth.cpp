#include "reviewer/console/auth.h"

#include <charconv>
#include <fstream>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/random.h"
#include "reviewer/core/sha256.h"
#include "reviewer/core/text.h"

namespace reviewer::console {

namespace {

bool is_hash(std::string_view s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

std::int64_t seconds_of(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

}  // namespace

TokenSet TokenSet::load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(Error::Code::usage, fmt::format("cannot read the tokens file '{}'", file.string()));
  std::vector<std::string> hashes;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '#') continue;
    if (!is_hash(t)) {
      throw Error(Error::Code::usage,
                  fmt::format("{}:{}: not a token hash (64 lowercase hex digits, as `reviewer audit token-hash` "
                              "prints)",
                              file.string(), number));
    }
    hashes.emplace_back(t);
  }
  if (in.bad()) throw Error(Error::Code::usage, fmt::format("cannot read the tokens file '{}'", file.string()));
  if (hashes.empty()) {
    throw Error(Error::Code::usage,
                fmt::format("the tokens file '{}' holds no token hash: add the line `reviewer audit token-hash` "
                            "prints for each auditor's token",
                            file.string()));
  }
  return TokenSet(std::move(hashes));
}

TokenSet::TokenSet(std::vector<std::string> hashes) : hashes_(std::move(hashes)) {}

std::optional<std::string> TokenSet::accept(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  const std::string hash = token_hash(token);
  std::optional<std::string> found;
  for (const auto& h : hashes_) {
    if (equal_constant_time(hash, h)) found = h;
  }
  return found;
}

std::string token_hash(std::string_view token) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.remove_suffix(1);
  return sha256_hex(token);
}

Sessions::Sessions() : key_(random_hex(32)) {}

std::string Sessions::issue(const std::string& hash, std::chrono::system_clock::time_point now) const {
  const std::string issued = std::to_string(seconds_of(now));
  return issued + "." + hmac_sha256_hex(key_, issued + "." + hash);
}

std::optional<std::string> Sessions::check(std::string_view value, const TokenSet& tokens,
                                           std::chrono::system_clock::time_point now) const {
  const auto dot = value.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 20) return std::nullopt;
  std::int64_t issued = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + dot, issued);
  if (ec != std::errc() || end != value.data() + dot) return std::nullopt;
  const std::int64_t age = seconds_of(now) - issued;
  if (age < 0 || age > kLifetime.count()) return std::nullopt;
  const std::string_view mac = value.substr(dot + 1);
  std::optional<std::string> found;
  for (const auto& h : tokens.hashes()) {
    if (equal_constant_time(mac, hmac_sha256_hex(key_, fmt::format("{}.{}", issued, h)))) found = h;
  }
  return found;
}

}  // namespace reviewer::console
