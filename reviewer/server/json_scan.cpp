#include "reviewer/server/json_scan.h"

#include <cmath>
#include <cstdlib>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace reviewer::server {

namespace {

// One pass over the bytes; `out` is null while inside a dropped member, so
// dropped parts are only checked, never copied. Kept scalars are decoded by
// nlohmann from their (checked) text, so their values are exactly what a
// full parse would give.
class Scanner {
 public:
  Scanner(std::string_view text, KeepMember keep) : p_(text.data()), end_(text.data() + text.size()), keep_(keep) {}

  bool document(nlohmann::json& out) {
    if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF && static_cast<unsigned char>(p_[1]) == 0xBB &&
        static_cast<unsigned char>(p_[2]) == 0xBF) {
      p_ += 3;
    }
    skip_ws();
    if (!value(&out, 0)) return false;
    skip_ws();
    return p_ == end_;
  }

 private:
  void skip_ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool value(nlohmann::json* out, int depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': return scalar(out, [this] { return string(); });
      case 't': return scalar(out, [this] { return literal("true"); });
      case 'f': return scalar(out, [this] { return literal("false"); });
      case 'n': return scalar(out, [this] { return literal("null"); });
      default: return scalar(out, [this] { return number(); });
    }
  }

  template <typename Scan>
  bool scalar(nlohmann::json* out, Scan scan) {
    const char* start = p_;
    if (!scan()) return false;
    if (out) {
      *out = nlohmann::json::parse(start, p_, nullptr, false);
      if (out->is_discarded()) return false;  // cannot happen after the scan; fail closed if it does
    }
    return true;
  }

  // The items of an object or an array (`p_` at its opening bracket), up to
  // `close`: `item` reads one member or element; items are separated by ','.
  template <typename Item>
  bool items(char close, int depth, Item item) {
    if (depth > kMaxJsonDepth) return false;
    ++p_;  // '{' or '['
    skip_ws();
    if (p_ < end_ && *p_ == close) {
      ++p_;
      return true;
    }
    for (;;) {
      if (!item()) return false;
      skip_ws();
      if (p_ == end_) return false;
      if (*p_ == ',') {
        ++p_;
        skip_ws();
        continue;
      }
      if (*p_ != close) return false;
      ++p_;
      return true;
    }
  }

  bool object(nlohmann::json* out, int depth) {
    if (out) *out = nlohmann::json::object();
    return items('}', depth, [&] {
      if (p_ == end_ || *p_ != '"') return false;
      const char* key_start = p_;
      bool plain = true;  // no escapes: the key is the raw bytes
      if (!string(&plain)) return false;
      nlohmann::json* member = nullptr;
      if (out) {
        std::string key;
        if (plain) {
          key.assign(key_start + 1, p_ - 1);
        } else {
          key = nlohmann::json::parse(key_start, p_).get<std::string>();
        }
        if (keep_(depth, key)) member = &(*out)[key];
      }
      skip_ws();
      if (p_ == end_ || *p_ != ':') return false;
      ++p_;
      skip_ws();
      return value(member, depth);
    });
  }

  bool array(nlohmann::json* out, int depth) {
    if (out) *out = nlohmann::json::array();
    return items(']', depth, [&] {
      nlohmann::json* element = nullptr;
      if (out) {
        out->push_back(nullptr);
        element = &out->back();
      }
      return value(element, depth);
    });
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool number() {
    const char* start = p_;
    bool exact_int = true;  // no fraction or exponent
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && digit(*p_)) ++p_;
    } else {
      return false;
    }
    if (p_ < end_ && *p_ == '.') {
      exact_int = false;
      ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ < end_ && digit(*p_)) ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      exact_int = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return false;
      while (p_ < end_ && digit(*p_)) ++p_;
    }
    // nlohmann refuses a number that overflows a double ("1e400", or an
    // integer of 309+ digits); integers that fit 64 bits never do.
    if (!exact_int || p_ - start > 19) {
      const std::string text(start, p_);
      if (!std::isfinite(std::strtod(text.c_str(), nullptr))) return false;
    }
    return true;
  }

  static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // \uXXXX after the backslash and 'u'; returns the code unit or -1.
  int unit() {
    if (end_ - p_ < 4) return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hex(p_[i]);
      if (h < 0) return -1;
      v = v * 16 + h;
    }
    p_ += 4;
    return v;
  }

  // A string from its opening quote; UTF-8 checked per RFC 3629, escapes
  // per RFC 8259 (a high surrogate must be followed by a low one).
  bool string(bool* plain = nullptr) {
    ++p_;  // '"'
    for (;;) {
      // Fast path: plain ASCII, sixteen bytes at a time where SSE2 is
      // there (every x86-64): a delivery is mostly string bytes.
#ifdef __SSE2__
      while (end_ - p_ >= 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p_));
        // A signed compare below 0x20 also catches every byte >= 0x80.
        const __m128i stop = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                          _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                                       _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
        const int mask = _mm_movemask_epi8(stop);
        if (mask != 0) {
          p_ += __builtin_ctz(static_cast<unsigned>(mask));
          break;
        }
        p_ += 16;
      }
#endif
      while (p_ < end_) {
        unsigned char c = static_cast<unsigned char>(*p_);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
        ++p_;
      }
      if (p_ == end_) return false;
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (plain) *plain = false;
        if (++p_ == end_) return false;
        switch (*p_++) {
          case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': break;
          case 'u': {
            int u = unit();
            if (u < 0) return false;
            if (u >= 0xDC00 && u <= 0xDFFF) return false;  // a low surrogate alone
            if (u >= 0xD800 && u <= 0xDBFF) {
              if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
              p_ += 2;
              int low = unit();
              if (low < 0xDC00 || low > 0xDFFF) return false;
            }
            break;
          }
          default: return false;
        }
        continue;
      }
      if (!utf8()) return false;
    }
  }

  bool cont(int i, unsigned char lo = 0x80, unsigned char hi = 0xBF) const {
    if (end_ - p_ <= i) return false;
    unsigned char c = static_cast<unsigned char>(p_[i]);
    return c >= lo && c <= hi;
  }

  // One multi-byte UTF-8 sequence at p_ (RFC 3629, table 3-7 of Unicode).
  bool utf8() {
    unsigned char c = static_cast<unsigned char>(*p_);
    int len = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = cont(1) ? 2 : 0;
    } else if (c == 0xE0) {
      len = cont(1, 0xA0) && cont(2) ? 3 : 0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      len = cont(1) && cont(2) ? 3 : 0;
    } else if (c == 0xED) {
      len = cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
    } else if (c == 0xF0) {
      len = cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
    } else if (c >= 0xF1 && c <= 0xF3) {
      len = cont(1) && cont(2) && cont(3) ? 4 : 0;
    } else if (c == 0xF4) {
      len = cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
    }
    if (len == 0) return false;
    p_ += len;
    return true;
  }

  const char* p_;
  const char* end_;
  KeepMember keep_;
};

}  // namespace

std::optional<nlohmann::json> parse_filtered(std::string_view text, KeepMember keep) {
  nlohmann::json out;
  Scanner s(text, keep);
  try {
    if (!s.document(out)) return std::nullopt;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return out;
}

}  // namespace reviewer::server
