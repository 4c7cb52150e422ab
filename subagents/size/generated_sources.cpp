#include "subagents/size/generated_sources.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::size {

namespace {

using nlohmann::json;

// More files than this are counted in the last finding, not listed one by one.
constexpr std::size_t kMaxFindings = 10;

[[noreturn]] void bad(const std::string& key, const std::string& msg) {
  throw Error(Error::Code::invalid_input, fmt::format("guidance: size.{}: {}", key, msg));
}

void check_keys(const json& obj, const std::string& where, std::initializer_list<std::string_view> known) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(known.begin(), known.end(), it.key()) == known.end()) {
      bad(where.empty() ? it.key() : where + "." + it.key(),
          fmt::format("unknown key (known: {}){}", fmt::join(known, ", "),
                      where.empty() ? "; the size limits are thresholds.auto_approve" : ""));
    }
  }
}

std::vector<std::string> string_list(const json& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array() || it->empty())
    bad(where + "." + key, "must be a non-empty list of globs");
  std::vector<std::string> out;
  for (const auto& s : *it) {
    if (!s.is_string() || s.get<std::string>().empty())
      bad(where + "." + key, "entries must be non-empty strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::string text_field(const json& rule, const char* key, const std::string& where) {
  auto it = rule.find(key);
  if (it == rule.end()) return {};
  if (!it->is_string()) bad(where + "." + key, "must be a string");
  return it->get<std::string>();
}

// The last path segment of a glob: what {stem} is cut from.
std::string_view last_segment(std::string_view s) {
  auto slash = s.rfind('/');
  return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

// {stem} needs one "*" in the generated glob's file name (and nothing else
// that matches a variable part), so the stem is exactly what it matched.
bool has_stem(std::string_view glob) {
  std::string_view name = last_segment(glob);
  return std::count(name.begin(), name.end(), '*') == 1 && name.find_first_of("?[") == std::string_view::npos;
}

SourcePair load_pair(const json& p, const std::string& where) {
  if (!p.is_object()) bad(where, "must be a mapping with 'generated' and 'sources'");
  check_keys(p, where, {"generated", "sources"});
  SourcePair pair;
  pair.generated = string_list(p, "generated", where);
  pair.sources = string_list(p, "sources", where);
  const bool stem = std::any_of(pair.sources.begin(), pair.sources.end(),
                                [](const std::string& s) { return s.find("{stem}") != std::string::npos; });
  for (const auto& g : pair.generated) {
    if (stem && !has_stem(g)) {
      bad(where + ".generated",
          fmt::format("'{}' must have exactly one '*' in its file name to give {{stem}}", g));
    }
    try {
      pair.generated_matchers.emplace_back(std::vector<std::string>{g});
    } catch (const Error& e) {
      bad(where + ".generated", fmt::format("invalid glob '{}': {}", g, e.what()));
    }
  }
  return pair;
}

void load_rule(const json& rules, SizeConfig& c) {
  check_keys(rules, "rules", {kGeneratedWithoutSource});
  auto it = rules.find(kGeneratedWithoutSource);
  if (it == rules.end()) return;
  const std::string where = fmt::format("rules.{}", kGeneratedWithoutSource);
  if (!it->is_object()) bad(where, "must be a mapping");
  check_keys(*it, where, {"severity", "state", "description", "why", "fix", "docs"});
  if (auto s = it->find("severity"); s != it->end()) {
    auto sev = s->is_string() ? parse_severity(s->get<std::string>()) : std::nullopt;
    if (!sev)
      bad(where + ".severity", fmt::format("must be info, warning, error or critical, got {}", s->dump()));
    c.severity = *sev;
  }
  if (auto s = it->find("state"); s != it->end()) {
    // YAML reads a bare on/off as a boolean.
    const json state = s->is_boolean() ? json(s->get<bool>() ? "on" : "off") : *s;
    if (state != "on" && state != "off" && state != "shadow") {
      bad(where + ".state", fmt::format("must be on, off or shadow, got {}", s->dump()));
    }
    c.off = state == "off";
    c.shadow = state == "shadow";
  }
  text_field(*it, "description", where);
  c.why = text_field(*it, "why", where);
  c.fix = text_field(*it, "fix", where);
  if (auto docs = text_field(*it, "docs", where); !docs.empty()) c.fix += " See " + docs;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

// The source globs for one generated file, or nullopt when its stem or
// folder holds a glob character (the pattern would match more than meant).
std::optional<std::vector<std::string>> sources_for(const SourcePair& pair, std::size_t glob,
                                                    const std::string& path) {
  const std::string name(last_segment(path));
  const std::string dir = path.size() > name.size() ? path.substr(0, path.size() - name.size() - 1) : "";
  std::string stem;
  if (has_stem(pair.generated[glob])) {
    std::string_view g = last_segment(pair.generated[glob]);
    const auto star = g.find('*');
    const std::size_t fixed = g.size() - 1;
    if (name.size() >= fixed) stem = name.substr(star, name.size() - fixed);
  }
  if ((stem + dir).find_first_of("*?") != std::string::npos) return std::nullopt;
  std::vector<std::string> out;
  for (std::string s : pair.sources) {
    replace_all(s, "{stem}", stem);
    replace_all(s, "{dir}", dir);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

SizeConfig load_size_config(const Guidance& guidance) {
  const json& sec = guidance.section("size");
  SizeConfig c;
  check_keys(sec, "", {"rules", "generated_sources"});
  if (auto r = sec.find("rules"); r != sec.end()) {
    if (!r->is_object()) bad("rules", "must be a mapping from rule id to rule");
    load_rule(*r, c);
  }
  if (auto p = sec.find("generated_sources"); p != sec.end()) {
    if (!p->is_array()) bad("generated_sources", "must be a list of {generated, sources}");
    for (std::size_t i = 0; i < p->size(); ++i) {
      c.pairs.push_back(load_pair((*p)[i], fmt::format("generated_sources[{}]", i)));
    }
  }
  return c;
}

std::vector<Finding> generated_without_source(const Diff& diff, const SizeConfig& config) {
  std::vector<Finding> out;
  if (config.off) return out;
  std::vector<const std::string*> changed;  // every path the change touches, old and new
  for (const auto& f : diff.files) {
    if (!f.old_path.empty()) changed.push_back(&f.old_path);
    if (!f.new_path.empty() && f.new_path != f.old_path) changed.push_back(&f.new_path);
  }
  // Per distinct source pattern list: the changed paths it matches (a
  // vendor/ update of thousands of files compiles and scans once).
  std::map<std::vector<std::string>, std::vector<const std::string*>> seen;
  std::size_t missing = 0;
  for (const auto& f : diff.files) {
    if (f.kind == ChangeKind::deleted) continue;  // removing an artefact hides nothing
    const std::string& path = f.path();
    for (const auto& pair : config.pairs) {
      std::size_t glob = 0;
      while (glob < pair.generated.size() && !pair.generated_matchers[glob].matches(path)) ++glob;
      if (glob == pair.generated.size()) continue;
      bool satisfied = false;
      std::string wanted = "(a source whose name cannot be built from this path)";
      if (auto sources = sources_for(pair, glob, path)) {
        auto [it, fresh] = seen.try_emplace(*sources);
        if (fresh) {
          PathMatcher m(*sources);
          for (const auto* p : changed) {
            if (m.matches(*p)) it->second.push_back(p);
          }
        }
        satisfied = std::any_of(it->second.begin(), it->second.end(),
                                [&](const std::string* p) { return *p != path && *p != f.old_path; });
        wanted = fmt::format("{}", fmt::join(*sources, ", "));
      }
      if (satisfied) break;
      if (++missing > kMaxFindings) break;
      Finding fd;
      fd.rule = kGeneratedWithoutSource;
      fd.severity = config.severity;
      fd.shadow = config.shadow;
      fd.path = path;
      fd.message = fmt::format(
          "{} is generated, vendored or a lock file, and none of its sources changed "
          "with it. {}",
          path, config.why);
      fd.evidence = fmt::format("looked for a change to: {}", wanted);
      fd.suggestion = config.fix;
      out.push_back(std::move(fd));
      break;
    }
  }
  if (missing > kMaxFindings) {
    out.back().message += fmt::format(" ({} more files like it in this change.)", missing - kMaxFindings);
  }
  return out;
}

}  // namespace reviewer::size
