#include "subagents/intent/intent_config.h"

#include <algorithm>
#include <initializer_list>
#include <mutex>
#include <utility>

#include <fmt/format.h>
#include <re2/re2.h>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"
#include "subagents/intent/rules.h"

namespace reviewer::intent {

namespace {

using nlohmann::json;

[[noreturn]] void bad(std::string_view key, const std::string& msg) {
  throw Error(Error::Code::invalid_input, fmt::format("guidance: intent.{}: {}", key, msg));
}

std::string join_key(std::string_view a, std::string_view b) {
  return a.empty() ? std::string(b) : fmt::format("{}.{}", a, b);
}

// Unknown keys are errors: a misspelt key would otherwise be silently ignored.
void check_keys(const json& obj, std::string_view where, std::initializer_list<std::string_view> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      throw Error(Error::Code::invalid_input,
                  fmt::format("guidance: unknown key 'intent.{}' (known under intent{}{}: {})",
                              join_key(where, it.key()), where.empty() ? "" : ".", where,
                              fmt::join(known, ", ")));
    }
  }
}

const json* find(const json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json& object_at(const json& obj, std::string_view key, std::string_view full) {
  static const json empty = json::object();
  const json* v = find(obj, key);
  if (!v) return empty;
  if (!v->is_object()) bad(full, fmt::format("must be a mapping, got '{}'", v->dump()));
  return *v;
}

void read_int(const json& obj, std::string_view key, std::string_view full, int min, int max, int& out) {
  const json* v = find(obj, key);
  if (!v) return;
  if (!v->is_number_integer()) bad(full, fmt::format("must be an integer, got '{}'", v->dump()));
  long long n = v->get<long long>();
  if (n < min || n > max) bad(full, fmt::format("must be between {} and {}, got {}", min, max, n));
  out = static_cast<int>(n);
}

std::vector<std::string> read_strings(const json& obj, std::string_view key, std::string_view full) {
  std::vector<std::string> out;
  const json* v = find(obj, key);
  if (!v) return out;
  if (!v->is_array()) bad(full, fmt::format("must be a list of strings, got '{}'", v->dump()));
  for (size_t i = 0; i < v->size(); ++i) {
    const json& s = (*v)[i];
    if (!s.is_string() || s.get_ref<const std::string&>().empty()) {
      bad(fmt::format("{}[{}]", full, i),
          fmt::format("must be a non-empty string, got '{}' (quote values such as yes, no, true, 1)", s.dump()));
    }
    out.push_back(s.get<std::string>());
  }
  return out;
}

Regex compile(const std::string& pattern, std::string_view full, bool case_sensitive) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_case_sensitive(case_sensitive);
  auto re = std::make_shared<const RE2>(pattern, opts);
  if (!re->ok()) bad(full, fmt::format("invalid RE2 pattern '{}': {}", pattern, re->error()));
  return re;
}

// One alternation of every pattern in the list; null for an empty list.
// Each entry is compiled on its own first: an error then names the entry,
// and an entry such as "a)|(b" cannot escape its group (the combination
// alone would compile). The memo in the agent pays this once per guidance.
Regex alternation(const std::vector<std::string>& patterns, std::string_view full, const std::string& before,
                  const std::string& after, bool case_sensitive) {
  if (patterns.empty()) return nullptr;
  std::string all;
  for (size_t i = 0; i < patterns.size(); ++i) {
    compile(patterns[i], fmt::format("{}[{}]", full, i), case_sensitive);
    if (!all.empty()) all += '|';
    all += "(?:" + patterns[i] + ")";
  }
  return compile(before + "(?:" + all + ")" + after, full, case_sensitive);
}

Regex compile_list(const json& obj, std::string_view key, std::string_view full, bool anchored_start = false,
                   bool case_sensitive = false) {
  // Anchored lists match whole leading words: "add" must not match "Address".
  // Others use (?m) so '^' and '$' match at line breaks of a body.
  return anchored_start
             ? alternation(read_strings(obj, key, full), full, "^", "(?:\\b|\\s|$)", case_sensitive)
             : alternation(read_strings(obj, key, full), full, "(?m)", "", case_sensitive);
}

void read_description(const json& d, IntentConfig& c) {
  check_keys(d, "description", {"min_body_chars", "min_title_words", "min_unchecked_boxes", "vague_titles",
                                "why_markers", "why_headings", "placeholders", "wip_title", "wip_labels", "tentative",
                                "tentative_title", "tentative_unless"});
  read_int(d, "min_body_chars", "description.min_body_chars", 0, 100000, c.min_body_chars);
  read_int(d, "min_title_words", "description.min_title_words", 0, 100, c.min_title_words);
  read_int(d, "min_unchecked_boxes", "description.min_unchecked_boxes", 1, 1000, c.min_unchecked_boxes);
  // Vague titles match the whole (normalized) title.
  c.vague_titles = alternation(read_strings(d, "vague_titles", "description.vague_titles"),
                               "description.vague_titles", "^", "$", false);
  c.why_markers = compile_list(d, "why_markers", "description.why_markers");
  // A whole line: the heading's '#'s, bold marks, emoji and ':' or '?' around it are \W.
  c.why_headings = alternation(read_strings(d, "why_headings", "description.why_headings"),
                               "description.why_headings", "^\\W*", "\\W*$", false);
  c.placeholders = compile_list(d, "placeholders", "description.placeholders");
  c.wip_title = compile_list(d, "wip_title", "description.wip_title");
  for (auto& l : read_strings(d, "wip_labels", "description.wip_labels")) c.wip_labels.insert(lower(l));
  c.tentative = compile_list(d, "tentative", "description.tentative");
  c.tentative_title = compile_list(d, "tentative_title", "description.tentative_title");
  c.tentative_unless = compile_list(d, "tentative_unless", "description.tentative_unless");
}

void read_ticket(const json& t, IntentConfig& c) {
  check_keys(t, "ticket", {"required", "pattern"});
  if (const json* r = find(t, "required")) {
    if (!r->is_boolean()) bad("ticket.required", fmt::format("must be true or false, got '{}'", r->dump()));
    c.ticket_required = r->get<bool>();
  }
  if (const json* p = find(t, "pattern")) {
    if (!p->is_string() || p->get_ref<const std::string&>().empty()) {
      bad("ticket.pattern", fmt::format("must be a non-empty string, got '{}'", p->dump()));
    }
    c.ticket = compile(p->get<std::string>(), "ticket.pattern", true);
  }
  if (c.ticket_required && !c.ticket) bad("ticket.required", "is true but intent.ticket.pattern is not set");
}

void read_kinds(const json& k, IntentConfig& c) {
  for (auto it = k.begin(); it != k.end(); ++it) {
    const std::string where = "kinds." + it.key();
    if (std::find(std::begin(kKinds), std::end(kKinds), it.key()) == std::end(kKinds)) {
      bad(where, fmt::format("unknown kind '{}' (known: {})", it.key(), fmt::join(kKinds, ", ")));
    }
    if (!it->is_object()) bad(where, fmt::format("must be a mapping, got '{}'", it->dump()));
    check_keys(*it, where, {"prefixes", "labels", "title_words"});
    KindVocabulary v;
    v.kind = it.key();
    v.prefixes = alternation(read_strings(*it, "prefixes", where + ".prefixes"), where + ".prefixes", "^", "$",
                             false);
    v.title_words = compile_list(*it, "title_words", where + ".title_words", true);
    for (auto& l : read_strings(*it, "labels", where + ".labels")) v.labels.insert(lower(l));
    c.kinds.push_back(std::move(v));
  }
  // Precedence follows kKinds, not the YAML order.
  auto rank = [](const std::string& k) {
    return std::find(std::begin(kKinds), std::end(kKinds), k) - std::begin(kKinds);
  };
  std::sort(c.kinds.begin(), c.kinds.end(),
            [&](const KindVocabulary& a, const KindVocabulary& b) { return rank(a.kind) < rank(b.kind); });
}

void read_paths(const json& p, IntentConfig& c) {
  for (auto it = p.begin(); it != p.end(); ++it) {
    const std::string where = "paths." + it.key();
    if (std::find(std::begin(kPathClasses), std::end(kPathClasses), it.key()) == std::end(kPathClasses)) {
      bad(where, fmt::format("unknown path class '{}' (known: {})", it.key(), fmt::join(kPathClasses, ", ")));
    }
    auto globs = read_strings(p, it.key(), where);
    try {
      c.paths.insert_or_assign(it.key(), PathMatcher(globs));
    } catch (const Error& e) {
      bad(where, e.what());
    }
  }
}

void read_scope(const json& s, IntentConfig& c) {
  check_keys(s, "scope", {"narrow_max_areas", "min_word_chars", "ignore_words", "promises", "negations"});
  read_int(s, "narrow_max_areas", "scope.narrow_max_areas", 1, 1000, c.narrow_max_areas);
  read_int(s, "min_word_chars", "scope.min_word_chars", 1, 100, c.min_word_chars);
  for (auto& w : read_strings(s, "ignore_words", "scope.ignore_words")) c.ignore_words.insert(lower(w));
  const json& promises = object_at(s, "promises", "scope.promises");
  for (auto it = promises.begin(); it != promises.end(); ++it) {
    const std::string where = "scope.promises." + it.key();
    if (!it->is_object()) bad(where, fmt::format("must be a mapping, got '{}'", it->dump()));
    check_keys(*it, where, {"phrases", "paths"});
    Promise p;
    p.name = it.key();
    p.phrases = compile_list(*it, "phrases", where + ".phrases");
    if (!p.phrases) bad(where + ".phrases", "must list at least one pattern");
    const json* cls = find(*it, "paths");
    if (!cls || !cls->is_string() ||
        std::find(std::begin(kPathClasses), std::end(kPathClasses), cls->get<std::string>()) ==
            std::end(kPathClasses)) {
      bad(where + ".paths", fmt::format("must name a path class ({}), got '{}'", fmt::join(kPathClasses, ", "),
                                        cls ? cls->dump() : "nothing"));
    }
    p.path_class = cls->get<std::string>();
    c.promises.push_back(std::move(p));
  }
  if (const json* n = find(s, "negations")) {
    if (!n->is_string()) bad("scope.negations", fmt::format("must be a string, got '{}'", n->dump()));
    c.negations = compile(n->get<std::string>(), "scope.negations", false);
  }
}

void read_severity(const json& s, IntentConfig& c) {
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string where = "severity." + it.key();
    if (!intent_rules().count(it.key())) {
      bad(where, fmt::format("unknown rule '{}' (rules are listed in subagents/intent/rules.h)", it.key()));
    }
    std::optional<Severity> sev;
    if (it->is_string()) sev = parse_severity(it->get<std::string>());
    if (!sev) bad(where, fmt::format("must be info, warning, error or critical, got '{}'", it->dump()));
    c.severity[it.key()] = *sev;
  }
}

// intent.rules.<id>: the fields every agent's rules share that apply to
// built-in rules: severity, state, and text for people.
void read_rules(const json& s, IntentConfig& c) {
  for (auto it = s.begin(); it != s.end(); ++it) {
    const std::string where = "rules." + it.key();
    if (!intent_rules().count(it.key())) {
      bad(where, fmt::format("unknown rule '{}' (rules are listed in subagents/intent/rules.h)", it.key()));
    }
    if (!it->is_object()) bad(where, "must be a mapping");
    check_keys(*it, where, {"severity", "state", "description", "why", "docs"});
    if (const json* sev = find(*it, "severity")) {
      std::optional<Severity> v;
      if (sev->is_string()) v = parse_severity(sev->get<std::string>());
      if (!v) bad(where + ".severity", fmt::format("must be info, warning, error or critical, got '{}'", sev->dump()));
      c.severity[it.key()] = *v;
    }
    if (const json* st = find(*it, "state")) {
      // YAML reads a bare on/off as a boolean.
      const bool on = (st->is_boolean() && st->get<bool>()) || (st->is_string() && *st == "on");
      const bool off = (st->is_boolean() && !st->get<bool>()) || (st->is_string() && *st == "off");
      const bool shadow = st->is_string() && *st == "shadow";
      if (!on && !off && !shadow) bad(where + ".state", fmt::format("must be on, off or shadow, got '{}'", st->dump()));
      if (off) c.off.insert(it.key());
      if (shadow) c.shadow.insert(it.key());
    }
    for (const char* text : {"description", "why", "docs"}) {
      if (const json* t = find(*it, text); t && !t->is_string()) {
        bad(where + "." + text, fmt::format("must be a string, got '{}'", t->dump()));
      }
    }
  }
}

}  // namespace

bool IntentConfig::in_class(std::string_view path_class, std::string_view path) const {
  auto it = paths.find(path_class);
  return it != paths.end() && it->second.matches(path);
}

IntentConfig load_intent_config(const Guidance& guidance) {
  const json& sec = guidance.section("intent");
  IntentConfig c;
  check_keys(sec, "", {"description", "ticket", "kinds", "copy_words", "assertion_markers",
                       "signature_markers", "paths", "areas", "scope", "severity", "rules"});
  read_description(object_at(sec, "description", "description"), c);
  read_ticket(object_at(sec, "ticket", "ticket"), c);
  read_kinds(object_at(sec, "kinds", "kinds"), c);
  c.copy_words = compile_list(sec, "copy_words", "copy_words");
  c.assertion_markers = compile_list(sec, "assertion_markers", "assertion_markers");
  c.signature_markers = compile_list(sec, "signature_markers", "signature_markers");
  read_paths(object_at(sec, "paths", "paths"), c);
  const json& areas = object_at(sec, "areas", "areas");
  check_keys(areas, "areas", {"containers", "max_depth"});
  c.containers = read_strings(areas, "containers", "areas.containers");
  read_int(areas, "max_depth", "areas.max_depth", 1, 32, c.area_max_depth);
  read_scope(object_at(sec, "scope", "scope"), c);
  const json* sev = find(sec, "severity");
  if (sev && !sev->is_null()) {
    if (!sev->is_object()) bad("severity", fmt::format("must be a mapping, got '{}'", sev->dump()));
    read_severity(*sev, c);
  }
  const json* rules = find(sec, "rules");
  if (rules && !rules->is_null()) {
    if (!rules->is_object()) bad("rules", fmt::format("must be a mapping, got '{}'", rules->dump()));
    read_rules(*rules, c);  // after `severity`: the rule's own field wins
  }
  return c;
}

std::shared_ptr<const IntentConfig> intent_config_for(const Guidance& guidance) {
  if (guidance.version.empty()) return std::make_shared<const IntentConfig>(load_intent_config(guidance));
  static std::mutex mu;
  static std::vector<std::pair<std::string, std::shared_ptr<const IntentConfig>>> cache;
  constexpr size_t kCacheSize = 8;
  {
    std::lock_guard lock(mu);
    for (const auto& [version, config] : cache) {
      if (version == guidance.version) return config;
    }
  }
  // Compiled outside the lock; an invalid guidance throws and is not cached.
  auto config = std::make_shared<const IntentConfig>(load_intent_config(guidance));
  std::lock_guard lock(mu);
  if (cache.size() == kCacheSize) cache.erase(cache.begin());
  cache.emplace_back(guidance.version, config);
  return config;
}

const IntentConfig& default_intent_config() {
  static const IntentConfig config = load_intent_config(load_guidance_texts({}));
  return config;
}

}  // namespace reviewer::intent
