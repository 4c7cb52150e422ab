// Checks that decide whether a matched string is a real credential, and the
// one way a credential may be shown: redacted. Pure functions, no state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace reviewer::safety {

// "aws-access-key AKIA… (20 chars)": the kind, at most the first 4 bytes of
// the value (fewer for short values: a quarter of its length, so a short
// password is never half shown) and the length. Never more of the value.
std::string redact(std::string_view kind, std::string_view value);

// Shannon entropy in bits per byte.
double shannon_entropy(std::string_view value);

// CRC-32 (IEEE 802.3, as zlib's crc32) of the bytes.
std::uint32_t crc32(std::string_view bytes);

// GitHub's (and npm's) token checksum: the last 6 characters are the CRC-32
// of the random part (between the "xxx_" prefix and the checksum) in base62,
// alphabet 0-9A-Za-z, left-padded with '0'. See
// https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
bool github_checksum_valid(std::string_view token);

// The 6-character base62 checksum for a random part (tests and fixtures
// build well-formed synthetic tokens with it).
std::string github_checksum(std::string_view random_part);

// Whether a JWT looks minted by a service: a time claim (exp, iat, nbf) of
// mid-2017 or later, or, with no time claim, a token id (jti). A test's
// hand-made token ({"sub":"foo"}, {"iss":"test","aud":"single"}) and the
// test vectors of specs and libraries (RFC 7519's exp 1300819380, 2011)
// are not. A payload that does not decode counts as issued (reported).
bool jwt_issued(std::string_view token);

// Whether offset `at` of `line` lies in the payload of a
// `data:<type>;base64,` URI of an image, font, sound or video (an inline
// icon, where a token pattern matches by chance), after its first 4
// characters. Other types (text, none) carry text: a key there is a key.
// It remembers the last base64 run it read, so the hits of one line cost
// one pass over it, not one each (a 1 MB line can hold 45,000 hits).
class DataUriCheck {
 public:
  bool operator()(std::string_view line, std::size_t at);

 private:
  static bool media_payload(std::string_view line, std::size_t run_start);
  const char* line_ = nullptr;
  std::size_t size_ = 0;
  std::size_t start_ = 0, end_ = 0;  // the run of base64 characters last read
  bool media_ = false;               // whether it is a binary data URI's payload
};

// Makes text safe to show in one line: control characters, bidirectional
// overrides, zero-width and tag characters, and Cyrillic or Greek
// look-alikes inside a Latin word become <U+XXXX>, invalid UTF-8 bytes
// become <0xNN>, and the result is cut to max_bytes on a character boundary.
std::string printable_excerpt(std::string_view text, std::size_t max_bytes);

}  // namespace reviewer::safety
