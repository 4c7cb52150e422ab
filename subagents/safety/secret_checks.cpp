#include "subagents/safety/secret_checks.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iterator>

#include <fmt/format.h>

#include "subagents/safety/hidden_secrets.h"

namespace reviewer::safety {

namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kBase64Std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

// Length of the UTF-8 sequence starting at s[i], or 0 when invalid.
std::size_t utf8_length(std::string_view s, std::size_t i, std::uint32_t* cp) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  std::uint32_t v = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) return 0;
    v = (v << 6) | (c & 0x3F);
  }
  *cp = v;
  return n;
}

bool invisible(std::uint32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF ||
         cp == 0x180E || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||
         (cp >= 0xE0000 && cp <= 0xE007F);  // tag characters
}

// Cyrillic and Greek letters that look like Latin ones (the
// homoglyph-identifier rule's set).
bool lookalike(std::uint32_t cp) {
  static constexpr std::uint32_t kSet[] = {
      0x0391, 0x0392, 0x0395, 0x0396, 0x0397, 0x0399, 0x039A, 0x039C, 0x039D, 0x039F, 0x03A1, 0x03A4,
      0x03A5, 0x03A7, 0x03BF, 0x0405, 0x0406, 0x0408, 0x0410, 0x0412, 0x0415, 0x041A, 0x041C, 0x041D,
      0x041E, 0x0420, 0x0421, 0x0422, 0x0425, 0x0430, 0x0435, 0x043E, 0x0440, 0x0441, 0x0443, 0x0445,
      0x0455, 0x0456, 0x0458, 0x04BB, 0x04CF, 0x0501, 0x051B, 0x051D};
  return std::find(std::begin(kSet), std::end(kSet), cp) != std::end(kSet);
}

bool ascii_letter(std::string_view text, std::size_t i) {
  return i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0;
}

}  // namespace

std::string redact(std::string_view kind, std::string_view value) {
  std::size_t shown = std::min<std::size_t>(4, value.size() / 4);
  // Only printable ASCII is shown: a multi-byte character is never cut.
  std::size_t n = 0;
  while (n < shown && value[n] > 0x20 && value[n] < 0x7F) ++n;
  return fmt::format("{} {}\u2026 ({} chars)", kind, value.substr(0, n), value.size());
}

double shannon_entropy(std::string_view value) {
  if (value.empty()) return 0.0;
  std::array<std::size_t, 256> counts{};
  for (unsigned char c : value) ++counts[c];
  double h = 0.0;
  const double n = static_cast<double>(value.size());
  for (std::size_t c : counts) {
    if (c == 0) continue;
    double p = static_cast<double>(c) / n;
    h -= p * std::log2(p);
  }
  return h;
}

std::uint32_t crc32(std::string_view bytes) {
  static const auto table = make_crc_table();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string github_checksum(std::string_view random_part) {
  std::uint32_t v = crc32(random_part);
  std::string out(6, '0');
  for (int i = 5; i >= 0 && v > 0; --i) {
    out[static_cast<std::size_t>(i)] = kBase62[v % 62];
    v /= 62;
  }
  return out;
}

bool github_checksum_valid(std::string_view token) {
  auto underscore = token.rfind('_');
  if (underscore == std::string_view::npos) return false;
  std::string_view body = token.substr(underscore + 1);
  if (body.size() <= 6) return false;
  return github_checksum(body.substr(0, body.size() - 6)) == body.substr(body.size() - 6);
}

bool jwt_issued(std::string_view token) {
  const auto dot = token.find('.');
  const auto dot2 = dot == std::string_view::npos ? dot : token.find('.', dot + 1);
  if (dot2 == std::string_view::npos) return true;
  // A payload that does not decode to text (not base64url, or bytes
  // outside printable ASCII) is not one this check can judge.
  const auto decoded = b64_decode(token.substr(dot + 1, dot2 - dot - 1));
  if (!decoded) return true;
  const std::string& json = *decoded;
  // Not JSON at all: not a token this check can judge.
  if (json.empty() || json.front() != '{') return true;
  // The claim's value, after its name, blanks and the colon (empty if none).
  auto value_of = [&](std::string_view claim) -> std::string_view {
    for (auto p = json.find(claim); p != std::string::npos; p = json.find(claim, p + 1)) {
      std::size_t q = p + claim.size();
      while (q < json.size() && (json[q] == ' ' || json[q] == '\t' || json[q] == '\n' || json[q] == '\r')) ++q;
      if (q < json.size() && json[q] == ':') return std::string_view(json).substr(q + 1);
    }
    return {};
  };
  // A time claim (exp, iat, nbf) is a number of seconds: a service minting
  // tokens now writes one after mid-2017 (1.5e9); the test vectors of specs
  // and libraries carry 2011's (RFC 7519's `1300819380`) or made-up ones.
  bool timed = false;
  for (std::string_view claim : {"\"exp\"", "\"iat\"", "\"nbf\""}) {
    std::string_view v = value_of(claim);
    if (v.data() == nullptr) continue;
    timed = true;
    std::size_t k = 0;
    while (k < v.size() && (v[k] == ' ' || v[k] == '\\' || v[k] == 'n' || v[k] == 'r')) ++k;  // `\n` as decoded
    std::string number;
    while (k < v.size() && number.size() < 32 && (std::isdigit(static_cast<unsigned char>(v[k])) || v[k] == '.' ||
                                                   v[k] == 'e' || v[k] == 'E' || v[k] == '+' || v[k] == '-')) {
      number += v[k++];
    }
    char* end = nullptr;
    const double seconds = number.empty() ? 0.0 : std::strtod(number.c_str(), &end);
    if (seconds >= 1.5e9) return true;
  }
  // No time at all: issued only if it names the token (jti); an issuer and
  // audience alone are what test fixtures write (`"iss":"test"`).
  return !timed && value_of("\"jti\"").data() != nullptr;
}

namespace {

// Media types whose base64 payloads are binary data, where a token pattern
// matches by chance: images, fonts (also under their old application/
// names), sound, video, and binary application payloads (octet-stream,
// webpack's default; wasm, pdf, zip). `data:text/plain;base64,` or a bare
// `data:;base64,` carry text, and a key hidden there is still a key.
bool binary_media(std::string_view type) {
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view kind : {"image/", "font/", "audio/", "video/", "application/font-", "application/x-font-",
                                "application/vnd.ms-fontobject", "application/octet-stream", "application/wasm",
                                "application/pdf", "application/zip"}) {
    if (lower.starts_with(kind)) return true;
  }
  return false;
}

}  // namespace

bool DataUriCheck::operator()(std::string_view line, std::size_t at) {
  if (at >= line.size() || kBase64Std.find(line[at]) == std::string_view::npos) return false;
  const bool same_line = line.data() == line_ && line.size() == size_;
  if (!same_line || at < start_ || at >= end_) {
    line_ = line.data();
    size_ = line.size();
    start_ = at;
    while (start_ > 0 && kBase64Std.find(line[start_ - 1]) != std::string_view::npos) --start_;
    end_ = at + 1;
    while (end_ < line.size() && kBase64Std.find(line[end_]) != std::string_view::npos) ++end_;
    media_ = media_payload(line, start_);
  }
  // The value must not open the payload: at least one 4-character group
  // of it comes first (a key pasted as the whole payload is still a key).
  return media_ && start_ + 4 <= at;
}

bool DataUriCheck::media_payload(std::string_view line, std::size_t b) {
  constexpr std::string_view kMark = ";base64,";
  // A media type is short: `data:` is looked for this far back only (a
  // scan to the line's start per run made a long line quadratic).
  constexpr std::size_t kMaxType = 256;
  if (b < kMark.size() || line.substr(b - kMark.size(), kMark.size()) != kMark) return false;
  const std::size_t mark = b - kMark.size();
  const std::size_t from = mark > kMaxType ? mark - kMaxType : 0;
  const auto data = line.substr(from, mark - from).rfind("data:");
  if (data == std::string_view::npos) return false;
  const std::string_view type = line.substr(from + data + 5, mark - from - data - 5);
  // The media type between `data:` and `;base64,` has no blank or quote.
  return type.find_first_of(" \t\"'`") == std::string_view::npos && binary_media(type);
}

std::string printable_excerpt(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    std::size_t n = utf8_length(text, i, &cp);
    std::string piece;
    if (n == 0) {
      piece = fmt::format("<0x{:02X}>", static_cast<unsigned char>(text[i]));
      n = 1;
    } else if (cp == '\t') {
      piece = " ";
    } else if (invisible(cp) || (lookalike(cp) && ((i > 0 && ascii_letter(text, i - 1)) || ascii_letter(text, i + n)))) {
      // A look-alike is shown as a code point only inside a Latin word:
      // Russian or Greek text stays readable.
      piece = fmt::format("<U+{:04X}>", cp);
    } else {
      piece = std::string(text.substr(i, n));
    }
    if (out.size() + piece.size() > max_bytes) {
      out += "\u2026";
      break;
    }
    out += piece;
    i += n;
  }
  return out;
}

}  // namespace reviewer::safety
