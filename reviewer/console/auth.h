// Who may read the auditor console.
//
// - Bearer tokens: the tokens file holds one lowercase hex SHA-256 per
//   accepted token (`reviewer audit token-hash` prints it), so it holds no
//   secret; a request's `Authorization: Bearer <token>` is hashed and
//   compared with every line in constant time.
// - Browser sessions: a browser cannot send that header on a plain
//   navigation, so the login form sends the token once as `?token=` (a GET:
//   there is no write path, not even for logging in); the console answers
//   with a redirect that drops it and a cookie holding a session value:
//   the time it was issued and an HMAC of that time and the token's hash,
//   keyed with a random key made at start. The cookie never holds the
//   token, dies with the process and after 12 hours, and a token removed
//   from the file (and the console restarted) ends its sessions.
// - A trusted header (--trusted-header NAME, off by default): set by a
//   reverse proxy that authenticated the user, its value is the user.
//   Only safe behind a proxy that removes the header from what clients
//   send.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::console {

class TokenSet {
 public:
  // Reads the tokens file: one hash per line, '#' comments and blank lines
  // allowed. Throws Error(usage) naming the file (and line) when it cannot
  // be read, a line is not 64 hex digits, or it holds no hash.
  static TokenSet load(const std::filesystem::path& file);
  explicit TokenSet(std::vector<std::string> hashes);

  // The hash of `token` when it is accepted. Every hash is compared, each
  // in constant time.
  std::optional<std::string> accept(std::string_view token) const;
  const std::vector<std::string>& hashes() const { return hashes_; }

 private:
  std::vector<std::string> hashes_;
};

// The line `reviewer audit token-hash` prints for `token`: its SHA-256 as
// lowercase hex. A trailing newline (as `echo` adds) is not part of it.
std::string token_hash(std::string_view token);

class Sessions {
 public:
  static constexpr std::chrono::seconds kLifetime{12 * 3600};
  static constexpr std::string_view kCookie = "reviewer_console";

  // A fresh random key (OpenSSL's CSPRNG).
  Sessions();

  // The cookie value for a login with the token whose hash is `hash`.
  std::string issue(const std::string& hash, std::chrono::system_clock::time_point now) const;
  // The hash of the token a cookie value was issued for, when it is ours,
  // not older than kLifetime, and that token is still in `tokens`.
  std::optional<std::string> check(std::string_view value, const TokenSet& tokens,
                                   std::chrono::system_clock::time_point now) const;

 private:
  std::string key_;
};

}  // namespace reviewer::console
