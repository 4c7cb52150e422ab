// A console request's query parameters, decoded and validated. Every page
// is a GET, so everything an auditor chooses (a period, repositories, a
// sample's seed, an SQL statement) arrives here; a value that does not
// fit is answered 400 with the parameter named (BadRequest).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/console_queries.h"

namespace reviewer::console {

// A request the console refuses with 400; what() is shown to the user.
class BadRequest : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

class Params {
 public:
  // Decodes "a=1&b=x%20y" ('+' is a space). Throws BadRequest on a broken
  // %-escape, invalid UTF-8, a control character or more than 200 pairs.
  static Params parse(std::string_view query);

  // The first value of `name`, "" when absent.
  std::string get(std::string_view name) const;
  std::vector<std::string> all(std::string_view name) const;
  bool has(std::string_view name) const;
  // Throws BadRequest naming the first parameter not in `allowed`
  // ("token", the login's, is always allowed).
  void only(std::span<const std::string_view> allowed) const;
  void only(std::initializer_list<std::string_view> allowed) const {
    only(std::span<const std::string_view>(allowed.begin(), allowed.size()));
  }
  // Every pair but those named `drop`, in order.
  Pairs without(std::string_view drop) const;

 private:
  Pairs pairs_;
};

// The filter fields of the Overview, Changes and Sample pages, as given
// (dates YYYY-MM-DD) and as the queries take them.
struct FilterForm {
  std::string since, until;
  std::vector<std::string> repositories;
  std::string approver, decision, reverted, checks;

  // Throws BadRequest for a value outside its set, a date that is not a
  // day of the calendar, until before since, or more than 50 repositories.
  static FilterForm parse(const Params& p);
  audit::ConsoleFilter filter() const;
  // The form's fields as query parameters (empty ones left out).
  Pairs pairs() const;
};

// The parameter names FilterForm reads.
inline constexpr std::array<std::string_view, 7> kFilterNames = {
    "since", "until", "repo", "approver", "decision", "reverted", "checks"};

// `value` as an integer in [min, max]; "" gives `fallback`. Throws
// BadRequest naming `name` otherwise.
std::int64_t integer_param(std::string_view name, const std::string& value, std::int64_t min, std::int64_t max,
                           std::int64_t fallback);

// A seed: a decimal integer in [0, 2^64).
std::uint64_t seed_param(const std::string& value);

}  // namespace reviewer::console
