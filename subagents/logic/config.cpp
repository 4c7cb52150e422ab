#include "subagents/logic/config.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::logic {

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& msg) {
  throw Error(Error::Code::invalid_input, fmt::format("guidance {}: {}", where, msg));
}

void check_keys(const json& obj, const std::string& where, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      fail(where, fmt::format("unknown key '{}' (known: {})", k, fmt::join(known, ", ")));
    }
  }
}

std::string str(const json& obj, const char* key, const std::string& where, bool required) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) fail(where, fmt::format("'{}' is required", key));
    return {};
  }
  if (!it->is_string()) fail(where + "." + key, fmt::format("must be a string, got {}", it->dump()));
  return it->get<std::string>();
}

int integer(const json& obj, const char* key, const std::string& where, int def, int min) {
  auto it = obj.find(key);
  if (it == obj.end()) return def;
  if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > 1000000) {
    fail(where + "." + key, fmt::format("must be an integer of at least {}, got {}", min, it->dump()));
  }
  return it->get<int>();
}

bool boolean(const json& obj, const char* key, const std::string& where, bool def) {
  auto it = obj.find(key);
  if (it == obj.end()) return def;
  if (!it->is_boolean()) fail(where + "." + key, fmt::format("must be true or false, got {}", it->dump()));
  return it->get<bool>();
}

std::vector<std::string> strings(const json& obj, const char* key, const std::string& where) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) fail(where + "." + key, "must be a list of strings");
  for (const auto& s : *it) {
    if (!s.is_string() || s.get<std::string>().empty()) {
      fail(where + "." + key, fmt::format("entries must be non-empty strings, got {}", s.dump()));
    }
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::vector<index::Lang> languages(const json& obj, const std::string& where) {
  std::vector<index::Lang> out;
  for (const auto& name : strings(obj, "languages", where)) {
    index::Lang l = index::parse_lang(name);
    if (l == index::Lang::unknown) {
      fail(where + ".languages", fmt::format("unknown language '{}' (known: c, cpp, python, js, ts, go, java, "
                                             "ruby, rust, data)", name));
    }
    out.push_back(l);
  }
  return out;
}

std::shared_ptr<const RE2> regex(const json& obj, const char* key, const std::string& where) {
  std::string pattern = str(obj, key, where, false);
  if (pattern.empty()) return nullptr;
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_max_mem(1 << 22);
  auto re = std::make_shared<RE2>(pattern, opts);
  if (!re->ok()) fail(where + "." + key, fmt::format("invalid regex '{}': {}", pattern, re->error()));
  return re;
}

PathMatcher globs(const json& obj, const char* key, const std::string& where) {
  auto list = strings(obj, key, where);
  try {
    return PathMatcher(list);
  } catch (const Error& e) {
    fail(where + "." + key, e.what());
  }
}

Pattern load_pattern(const json& p, const std::string& where) {
  if (!p.is_object()) fail(where, "each pattern must be a mapping");
  check_keys(p, where, {"languages", "match", "exclude", "next", "unless_added", "unless_deleted", "unless_shown", "requires_added", "view",
                        "lines", "skip_added_files", "paths", "exclude_paths", "only_tests", "skip_tests"});
  Pattern out;
  out.languages = languages(p, where);
  out.match = regex(p, "match", where);
  if (!out.match) fail(where, "'match' is required");
  out.exclude = regex(p, "exclude", where);
  out.next = regex(p, "next", where);
  out.unless_added = regex(p, "unless_added", where);
  out.unless_deleted = regex(p, "unless_deleted", where);
  out.unless_shown = regex(p, "unless_shown", where);
  out.requires_added = regex(p, "requires_added", where);
  std::string view = str(p, "view", where, false);
  if (view == "raw") {
    out.view = View::raw;
  } else if (view == "comment") {
    out.view = View::comment;
  } else if (!view.empty() && view != "code") {
    fail(where + ".view", fmt::format("must be code, raw or comment, got '{}'", view));
  }
  std::string lines = str(p, "lines", where, false);
  if (lines == "deleted") {
    out.side = Side::deleted;
  } else if (!lines.empty() && lines != "added") {
    fail(where + ".lines", fmt::format("must be added or deleted, got '{}'", lines));
  }
  out.paths = globs(p, "paths", where);
  out.exclude_paths = globs(p, "exclude_paths", where);
  out.only_tests = boolean(p, "only_tests", where, false);
  out.skip_tests = boolean(p, "skip_tests", where, false);
  out.skip_added_files = boolean(p, "skip_added_files", where, false);
  return out;
}

const std::set<std::string, std::less<>> kChecks = {
    "self-comparison", "identical-branches", "duplicate-condition", "unreachable-code",
    "commented-out-code", "coverage-lowered", "base-image-moved", "missing-test-change", "test-deleted", "dangling-reference",
    "call-site-mismatch", "coupled-literal", "renamed-key", "test-target-disabled",
    "security-linter-disabled"};

Rule load_rule(const std::string& id, const json& r) {
  std::string where = "logic.rules." + id;
  if (!r.is_object()) fail(where, "must be a mapping");
  check_keys(r, where, {"severity", "why", "fix", "check", "languages", "patterns", "enabled", "state", "min_lines",
                        "description", "docs"});
  if (!id.starts_with("logic/")) fail(where, "rule ids start with 'logic/'");
  Rule rule;
  rule.id = id;
  std::string sev = str(r, "severity", where, true);
  auto s = parse_severity(sev);
  if (!s) fail(where + ".severity", fmt::format("must be info, warning, error or critical, got '{}'", sev));
  rule.severity = *s;
  rule.why = str(r, "why", where, true);
  rule.fix = str(r, "fix", where, true);
  rule.check = str(r, "check", where, false);
  if (!rule.check.empty() && !kChecks.count(rule.check)) {
    fail(where + ".check", fmt::format("unknown check '{}' (known: {})", rule.check, fmt::join(kChecks, ", ")));
  }
  rule.languages = languages(r, where);
  rule.enabled = boolean(r, "enabled", where, true);
  if (auto st = r.find("state"); st != r.end() && !st->is_null()) {
    // YAML reads a bare on/off as a boolean.
    const bool on = (st->is_boolean() && st->get<bool>()) || (st->is_string() && *st == "on");
    const bool off = (st->is_boolean() && !st->get<bool>()) || (st->is_string() && *st == "off");
    rule.shadow = st->is_string() && *st == "shadow";
    if (!on && !off && !rule.shadow) {
      fail(where + ".state", fmt::format("must be on, off or shadow, got {}", st->dump()));
    }
    rule.enabled = rule.enabled && !off;
  }
  str(r, "description", where, false);  // for people reading the rules
  if (auto docs = str(r, "docs", where, false); !docs.empty()) rule.fix += " See " + docs;
  rule.min_lines = integer(r, "min_lines", where, 5, 1);
  if (auto it = r.find("patterns"); it != r.end() && !it->is_null()) {
    if (!it->is_array()) fail(where + ".patterns", "must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      rule.patterns.push_back(load_pattern((*it)[i], fmt::format("{}.patterns[{}]", where, i)));
    }
  }
  if (rule.check.empty() && rule.patterns.empty()) fail(where, "needs 'patterns' or 'check'");
  return rule;
}

}  // namespace

bool Pattern::applies_to(index::Lang lang) const {
  return languages.empty() || std::find(languages.begin(), languages.end(), lang) != languages.end();
}

bool Rule::applies_to(index::Lang lang) const {
  return languages.empty() || std::find(languages.begin(), languages.end(), lang) != languages.end();
}

const Rule* Config::rule(std::string_view id) const {
  auto it = std::lower_bound(rules.begin(), rules.end(), id,
                             [](const Rule& r, std::string_view v) { return r.id < v; });
  return (it != rules.end() && it->id == id && it->enabled) ? &*it : nullptr;
}

Config load_config(const Guidance& guidance) {
  const json& sec = guidance.section("logic");
  check_keys(sec, "logic", {"rules", "tests", "tracing"});
  Config cfg;
  if (auto it = sec.find("rules"); it != sec.end() && !it->is_null()) {
    if (!it->is_object()) fail("logic.rules", "must be a mapping of rule id to rule");
    for (const auto& [id, r] : it->items()) cfg.rules.push_back(load_rule(id, r));
  }
  std::sort(cfg.rules.begin(), cfg.rules.end(), [](const Rule& a, const Rule& b) { return a.id < b.id; });

  json tests = sec.value("tests", json::object());
  if (!tests.is_object()) fail("logic.tests", "must be a mapping");
  check_keys(tests, "logic.tests", {"test_paths", "mapping", "min_added_lines"});
  cfg.tests.test_paths = globs(tests, "test_paths", "logic.tests");
  cfg.tests.min_added_lines = integer(tests, "min_added_lines", "logic.tests", 3, 0);
  json mapping = tests.value("mapping", json::object());
  if (!mapping.is_object()) fail("logic.tests.mapping", "must be a mapping of language to path templates");
  for (const auto& [lang, list] : mapping.items()) {
    index::Lang l = index::parse_lang(lang);
    if (l == index::Lang::unknown) fail("logic.tests.mapping", fmt::format("unknown language '{}'", lang));
    json wrap = {{"t", list}};
    cfg.tests.mapping[l] = strings(wrap, "t", "logic.tests.mapping." + lang);
  }

  json tracing = sec.value("tracing", json::object());
  if (!tracing.is_object()) fail("logic.tracing", "must be a mapping");
  check_keys(tracing, "logic.tracing", {"max_evidence", "min_name_length", "max_literal_hits"});
  cfg.tracing.max_evidence = integer(tracing, "max_evidence", "logic.tracing", 10, 1);
  cfg.tracing.min_name_length = integer(tracing, "min_name_length", "logic.tracing", 3, 1);
  cfg.tracing.max_literal_hits = integer(tracing, "max_literal_hits", "logic.tracing", 25, 1);
  return cfg;
}

}  // namespace reviewer::logic
