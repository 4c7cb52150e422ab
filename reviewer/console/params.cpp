#include "reviewer/console/params.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "audit/query.h"
#include "reviewer/core/utc_time.h"
#include "reviewer/console/html.h"

namespace reviewer::console {

namespace {

// `value` for a message (shown escaped): at most 80 bytes.
std::string shown(const std::string& value) { return value.size() <= 80 ? value : value.substr(0, 77) + "..."; }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      const int hi = i + 2 < s.size() ? hex_digit(s[i + 1]) : -1;
      const int lo = i + 2 < s.size() ? hex_digit(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) throw BadRequest("a query parameter has a broken %-escape");
      out += static_cast<char>(hi << 4 | lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  // A form sends text: anything else is not a value of ours.
  if (!valid_utf8(out)) throw BadRequest("a query parameter is not valid UTF-8");
  for (const char c : out) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f) {
      throw BadRequest("a query parameter holds a control character");
    }
  }
  return out;
}

void one_of(std::string_view name, const std::string& value, std::initializer_list<std::string_view> set) {
  if (value.empty() || std::find(set.begin(), set.end(), value) != set.end()) return;
  std::string names;
  for (auto s : set) names += fmt::format("{}{}", names.empty() ? "" : ", ", s);
  throw BadRequest(fmt::format("{} '{}' is not one of: {}", name, shown(value), names));
}

void check_day(std::string_view name, const std::string& value) {
  if (value.empty()) return;
  if (value.size() != 10 || !parse_utc_iso8601(value + "T00:00:00Z")) {
    throw BadRequest(fmt::format("{} '{}' is not a day: use YYYY-MM-DD", name, shown(value)));
  }
}

}  // namespace

Params Params::parse(std::string_view query) {
  Params p;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    if (p.pairs_.size() == 200) throw BadRequest("more than 200 query parameters");
    const auto eq = pair.find('=');
    p.pairs_.emplace_back(decode(pair.substr(0, eq)),
                          eq == std::string_view::npos ? std::string() : decode(pair.substr(eq + 1)));
  }
  return p;
}

std::string Params::get(std::string_view name) const {
  for (const auto& [n, v] : pairs_) {
    if (n == name) return v;
  }
  return "";
}

std::vector<std::string> Params::all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : pairs_) {
    if (n == name) out.push_back(v);
  }
  return out;
}

bool Params::has(std::string_view name) const {
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const auto& p) { return p.first == name; });
}

void Params::only(std::span<const std::string_view> allowed) const {
  for (const auto& [n, v] : pairs_) {
    if (n != "token" && std::find(allowed.begin(), allowed.end(), n) == allowed.end()) {
      throw BadRequest(fmt::format("unknown query parameter '{}'", shown(n)));
    }
  }
}

Pairs Params::without(std::string_view drop) const {
  Pairs out;
  for (const auto& p : pairs_) {
    if (p.first != drop) out.push_back(p);
  }
  return out;
}

FilterForm FilterForm::parse(const Params& p) {
  FilterForm f;
  f.since = p.get("since");
  f.until = p.get("until");
  check_day("since", f.since);
  check_day("until", f.until);
  if (!f.since.empty() && !f.until.empty() && f.until < f.since) {
    throw BadRequest(fmt::format("until {} is before since {}", f.until, f.since));
  }
  for (const auto& r : p.all("repo")) {
    if (r.empty()) continue;
    if (r.size() > 200) throw BadRequest("a repository name is longer than 200 bytes");
    f.repositories.push_back(r);
  }
  if (f.repositories.size() > 50) throw BadRequest("more than 50 repositories chosen");
  f.approver = p.get("approver");
  f.decision = p.get("decision");
  f.reverted = p.get("reverted");
  f.checks = p.get("checks");
  one_of("approver", f.approver, {"bot", "person", "none"});
  one_of("decision", f.decision, {"approve", "comment", "request_changes", "needs_human"});
  one_of("reverted", f.reverted, {"yes", "no"});
  one_of("checks", f.checks, {"failed", "pending", "passed", "none"});
  return f;
}

audit::ConsoleFilter FilterForm::filter() const {
  audit::ConsoleFilter f;
  if (!since.empty()) f.since = audit::time_bound(since, "since", false);
  if (!until.empty()) f.until = audit::time_bound(until, "until", true);
  f.repositories = repositories;
  f.approver = approver;
  f.decision = decision;
  f.reverted = reverted;
  f.checks = checks;
  return f;
}

Pairs FilterForm::pairs() const {
  Pairs out{{"since", since}, {"until", until}};
  for (const auto& r : repositories) out.emplace_back("repo", r);
  out.insert(out.end(), {{"approver", approver}, {"decision", decision}, {"reverted", reverted}, {"checks", checks}});
  return out;
}

std::int64_t integer_param(std::string_view name, const std::string& value, std::int64_t min, std::int64_t max,
                           std::int64_t fallback) {
  if (value.empty()) return fallback;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < min || v > max) {
    throw BadRequest(fmt::format("{} '{}' is not a whole number from {} to {}", name, shown(value), min, max));
  }
  return v;
}

std::uint64_t seed_param(const std::string& value) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
    throw BadRequest(fmt::format("seed '{}' is not a whole number from 0 to 18446744073709551615", shown(value)));
  }
  return v;
}

}  // namespace reviewer::console
