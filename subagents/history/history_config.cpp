#include "subagents/history/history_config.h"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::history {

namespace {

using nlohmann::json;

[[noreturn]] void bad(std::string_view key, const std::string& msg) {
  throw Error(Error::Code::invalid_input, fmt::format("guidance: history.{}: {}", key, msg));
}

void check_keys(const json& obj, std::string_view where, std::initializer_list<std::string_view> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      throw Error(Error::Code::invalid_input,
                  fmt::format("guidance: unknown key 'history.{}{}' (known: {})", where, it.key(), fmt::join(known, ", ")));
    }
  }
}

double number(const json& obj, std::string_view key, double min, double max, double fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_number()) bad(key, fmt::format("must be a number, got '{}'", it->dump()));
  const double v = it->get<double>();
  if (!(v >= min && v <= max)) bad(key, fmt::format("must be between {} and {}, got {}", min, max, v));
  return v;
}

std::string text(const json& obj, std::string_view key, const std::string& fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return fallback;
  if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
    bad(fmt::format("fix.{}", key), "must be a non-empty string");
  }
  return it->get<std::string>();
}

}  // namespace

HistoryConfig load_history_config(const Guidance& g) {
  const json& s = g.section("history");
  HistoryConfig c;
  if (!s.is_object()) bad("", "must be a mapping");
  check_keys(s, "", {"approve_share", "threshold", "label_maturity_days", "min_positives", "min_commits",
                     "retrain_hours", "first_change", "fix"});
  c.approve_share = number(s, "approve_share", 0.0, 1.0, c.approve_share);
  if (auto it = s.find("threshold"); it != s.end() && !it->is_null()) c.threshold = number(s, "threshold", 0.0, 1.0, 0.5);
  c.label_maturity_days = number(s, "label_maturity_days", 0, 3650, c.label_maturity_days);
  c.min_positives = static_cast<long>(number(s, "min_positives", 1, 1e6, static_cast<double>(c.min_positives)));
  c.min_commits = static_cast<long>(number(s, "min_commits", 1, 1e7, static_cast<double>(c.min_commits)));
  c.retrain_hours = number(s, "retrain_hours", 0, 24 * 365, c.retrain_hours);
  if (auto it = s.find("first_change"); it != s.end() && !it->is_null()) {
    if (!it->is_boolean()) bad("first_change", fmt::format("must be true or false, got '{}'", it->dump()));
    c.first_change = it->get<bool>();
  }
  if (auto it = s.find("fix"); it != s.end()) {
    if (!it->is_object()) bad("fix", "must be a mapping");
    check_keys(*it, "fix.", {"conventional_types", "references", "keywords"});
    if (auto t = it->find("conventional_types"); t != it->end()) {
      if (!t->is_array()) bad("fix.conventional_types", "must be a list of strings");
      c.classifier.fix_types.clear();
      for (const auto& v : *t) {
        if (!v.is_string() || v.get_ref<const std::string&>().empty()) bad("fix.conventional_types", "entries must be non-empty strings");
        c.classifier.fix_types.push_back(v.get<std::string>());
      }
    }
    c.classifier.fix_reference = text(*it, "references", c.classifier.fix_reference);
    c.classifier.fix_keywords = text(*it, "keywords", c.classifier.fix_keywords);
  }
  MessageClassifier check(c.classifier);  // RE2 must accept the patterns
  (void)check;
  return c;
}

}  // namespace reviewer::history
