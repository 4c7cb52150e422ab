#include "reviewer/core/finding.h"

#include <cstdint>

#include <fmt/format.h>

namespace reviewer {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
    case Severity::critical: return "critical";
  }
  return "info";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "info") return Severity::info;
  if (s == "warning") return Severity::warning;
  if (s == "error") return Severity::error;
  if (s == "critical") return Severity::critical;
  return std::nullopt;
}

namespace {

// FNV-1a, 64 bit: an identifier, not a security boundary, so a fast
// well-known hash with no dependency is enough.
struct Fnv1a {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  void byte(unsigned char c) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  void field(std::string_view s) {
    for (unsigned char c : s) byte(c);
    byte(0);  // separator, so ("ab","c") and ("a","bc") differ
  }
};

}  // namespace

std::string make_finding_id(std::string_view rule, std::string_view path,
                            std::string_view line_content) {
  Fnv1a f;
  f.field(rule);
  f.field(path);
  // Normalize: drop leading/trailing whitespace, collapse runs to one space.
  bool pending_space = false, any = false;
  for (unsigned char c : line_content) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      pending_space = any;
      continue;
    }
    if (pending_space) f.byte(' ');
    pending_space = false;
    any = true;
    f.byte(c);
  }
  return fmt::format("{:016x}", f.h);
}

}  // namespace reviewer
