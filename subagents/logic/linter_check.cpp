// logic/security-linter-disabled: golangci-lint's configuration stops
// running gosec, the security linter, where the base ran it. Which list a
// `- gosec` line sits in (enable, disable, an exclusion rule) is often out
// of the hunk's sight, so the configuration is read whole at both sides
// and the effective state compared, as golangci-lint itself would read it
// (v1 and v2 formats).
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <re2/re2.h>

#include "guidance/guidance.h"
#include "reviewer/core/error.h"
#include "subagents/logic/checks.h"

namespace reviewer::logic {

namespace {

using json = nlohmann::json;

// golangci-lint reads one configuration per folder, the first of these that
// exists (viper's order of extensions): a file added before the one that
// ran gosec replaces it.
constexpr std::array<std::string_view, 4> kConfigNames = {".golangci.json", ".golangci.toml", ".golangci.yaml",
                                                          ".golangci.yml"};

std::string_view base_name(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view folder_of(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash + 1);
}

// Its rank in kConfigNames, or nothing for another file.
std::optional<size_t> config_rank(std::string_view path) {
  auto it = std::find(kConfigNames.begin(), kConfigNames.end(), base_name(path));
  if (it == kConfigNames.end()) return std::nullopt;
  return static_cast<size_t>(it - kConfigNames.begin());
}

bool golangci_config(std::string_view path) { return config_rank(path).has_value(); }

const json* yaml_at(const json& doc, std::initializer_list<const char*> keys) {
  const json* node = &doc;
  for (const char* k : keys) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(k);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

// The strings of a list (a lone string counts as a list of one).
std::set<std::string> string_list(const json* node) {
  std::set<std::string> out;
  if (!node) return out;
  if (node->is_string()) out.insert(node->get<std::string>());
  if (node->is_array()) {
    for (const auto& v : *node) {
      if (v.is_string()) out.insert(v.get<std::string>());
    }
  }
  return out;
}

bool names_gosec(const std::set<std::string>& s) { return s.count("gosec") || s.count("gas"); }

struct GosecState {
  bool on = false;
  std::set<std::string> excluded_checks;  // gosec's own excludes (G101, ...)
  std::set<std::string> rules;            // exclusion rules naming gosec that reach ordinary code, as JSON
  std::set<std::string> skipped_paths;    // folders and files no linter reads
  json narrowing;                         // gosec's includes, severity and confidence
};

// An exclusion rule naming gosec that reaches ordinary code: one with no
// `path`, `text` or `source` (gosec silenced everywhere), or whose `path`
// (an RE2 the pull request wrote: linear) matches a plain source file, or
// whose `text` or `source` matches what gosec reports, or with
// `path-except`. A rule for test files (`_test\.go`) is narrow.
bool broad_gosec_rule(const json& r) {
  if (!r.is_object() || !names_gosec(string_list(yaml_at(r, {"linters"})))) return false;
  if (r.contains("path-except")) return true;
  auto matches_any = [](const json* re, std::initializer_list<const char*> samples) {
    if (!re || !re->is_string()) return true;  // absent: no narrowing by it
    RE2 compiled(re->get<std::string>(), RE2::Quiet);
    if (!compiled.ok()) return true;
    for (const char* s : samples) {
      if (RE2::PartialMatch(s, compiled)) return true;
    }
    return false;
  };
  return matches_any(yaml_at(r, {"path"}), {"cmd/server/main.go", "internal/auth/session.go", "pkg/api/handler.go"}) &&
         matches_any(yaml_at(r, {"text"}), {"G101: Potential hardcoded credentials",
                                            "G204: Subprocess launched with a potential tainted input"}) &&
         matches_any(yaml_at(r, {"source"}), {"password := \"hunter2\"", "exec.Command(name, args...)"});
}

std::set<std::string> broad_rules(const json* list) {
  std::set<std::string> out;
  if (!list || !list->is_array()) return out;
  for (const auto& r : *list) {
    if (broad_gosec_rule(r)) out.insert(r.dump());
  }
  return out;
}

GosecState gosec_state(const json& doc) {
  GosecState s;
  const json* version = yaml_at(doc, {"version"});
  const bool v2 = version && ((version->is_string() && version->get<std::string>() == "2") ||
                              (version->is_number() && version->get<double>() == 2));
  if (names_gosec(string_list(yaml_at(doc, {"linters", "disable"})))) return s;
  if (names_gosec(string_list(yaml_at(doc, {"linters", "enable"})))) {
    s.on = true;
  } else if (v2) {
    const json* d = yaml_at(doc, {"linters", "default"});
    s.on = d && d->is_string() && d->get<std::string>() == "all";
  } else {
    const json* all = yaml_at(doc, {"linters", "enable-all"});
    s.on = all && all->is_boolean() && all->get<bool>();
  }
  const json* settings = v2 ? yaml_at(doc, {"linters", "settings", "gosec"}) : yaml_at(doc, {"linters-settings", "gosec"});
  s.excluded_checks = string_list(settings ? yaml_at(*settings, {"excludes"}) : nullptr);
  s.narrowing = json::object();
  for (const char* k : {"includes", "severity", "confidence"}) {
    if (const json* v = settings ? yaml_at(*settings, {k}) : nullptr) s.narrowing[k] = *v;
  }
  s.rules = broad_rules(v2 ? yaml_at(doc, {"linters", "exclusions", "rules"}) : yaml_at(doc, {"issues", "exclude-rules"}));
  for (const auto& list : {v2 ? yaml_at(doc, {"linters", "exclusions", "paths"}) : yaml_at(doc, {"issues", "exclude-dirs"}),
                           v2 ? nullptr : yaml_at(doc, {"issues", "exclude-files"}),
                           yaml_at(doc, {"run", "skip-dirs"}), yaml_at(doc, {"run", "skip-files"})}) {
    for (const auto& p : string_list(list)) s.skipped_paths.insert(p);
  }
  return s;
}

// The new-side line to report on: the first added line naming `word`; else
// where a deleted line naming it was (the new-side line beside it); else the
// first added line; else 0 (the file as a whole: a deleted file).
int line_of(const FileDiff& f, std::string_view word) {
  int first_added = 0, beside_deleted = 0;
  for (const Hunk& h : f.hunks) {
    int last_new = 0;  // the new-side line before this one
    bool pending = false;  // a deleted line naming `word` waits for a new-side line
    for (const DiffLine& l : h.lines) {
      if (l.origin == LineOrigin::deleted) {
        if (!beside_deleted && l.content.find(word) != std::string_view::npos) pending = true;
        continue;
      }
      if (pending) beside_deleted = l.new_line, pending = false;
      if (l.origin == LineOrigin::added) {
        if (l.content.find(word) != std::string_view::npos) return l.new_line;
        if (first_added == 0) first_added = l.new_line;
      }
      last_new = l.new_line;
    }
    if (pending && last_new > 0) beside_deleted = last_new;  // deleted at the hunk's end
  }
  return beside_deleted ? beside_deleted : first_added;
}

std::string evidence_at(const FileDiff& f, int line) {
  for (const Hunk& h : f.hunks) {
    for (const DiffLine& l : h.lines) {
      if (l.origin != LineOrigin::deleted && l.new_line == line) return std::string(l.content);
    }
  }
  return {};
}

// gosec's state in a configuration's text; nothing when it cannot be read.
std::optional<GosecState> state_of(const std::string& path, const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  try {
    return gosec_state(read_untrusted_yaml(path, *text));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// How `after` runs less of gosec than `before` (which ran it): a word of
// the configuration to place the finding on, and the finding's detail.
// Nothing when it runs as much.
std::optional<std::pair<std::string, std::string>> weakened(const GosecState& before, const GosecState& after) {
  if (!after.on) return std::pair{std::string("gosec"), std::string("gosec ran at the base and no longer runs")};
  auto gained = [](const std::set<std::string>& a, const std::set<std::string>& b) {
    return std::any_of(a.begin(), a.end(), [&](const std::string& x) { return !b.count(x); });
  };
  if (gained(after.rules, before.rules)) {
    return std::pair{std::string("gosec"), std::string("a new exclusion rule silences gosec on ordinary code, not only on tests")};
  }
  if (after.narrowing != before.narrowing) {
    return std::pair{std::string("gosec"), std::string("gosec's includes, severity or confidence changed: it may run fewer checks")};
  }
  if (gained(after.skipped_paths, before.skipped_paths)) {
    return std::pair{std::string("exclu"), std::string("more folders or files are left out of linting, gosec's included")};
  }
  std::vector<std::string> added;
  std::set_difference(after.excluded_checks.begin(), after.excluded_checks.end(), before.excluded_checks.begin(),
                      before.excluded_checks.end(), std::back_inserter(added));
  if (added.empty()) return std::nullopt;
  // The names are the pull request's text: only check ids are quoted.
  std::vector<std::string> ids;
  for (const auto& a : added) {
    const bool id = !a.empty() && a.size() <= 8 &&
                    std::all_of(a.begin(), a.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
    if (id && ids.size() < 10) ids.push_back(a);
  }
  const size_t rest = added.size() - ids.size();
  return std::pair{added.front(),
                   fmt::format("gosec's checks {}{} are now excluded", ids.empty() ? "" : fmt::format("{}", fmt::join(ids, ", ")),
                               rest == 0 ? "" : fmt::format("{}{} more", ids.empty() ? "" : " and ", rest))};
}

// A TOML configuration is not read here: one that names gosec is judged
// changed whenever the pull request touches it (fail closed).
bool toml_naming_gosec(std::string_view path, const std::optional<std::string>& text) {
  return base_name(path) == ".golangci.toml" && text && text->find("gosec") != std::string::npos;
}

// A configuration added (or renamed from another name, or moved) into a
// folder before the one there, which golangci-lint then no longer reads:
// judged against that one as an edit would be. Fail closed when either
// cannot be read (TOML, aliases, over the limit).
void check_config_shadowed(const Rule& rule, const Diff& diff, const FileAt& at_head, std::vector<Finding>& out) {
  for (const FileDiff& f : diff.files) {
    if (f.submodule || f.kind == ChangeKind::deleted) continue;
    const auto rank = config_rank(f.new_path);
    if (!rank) continue;
    const auto old_rank = config_rank(f.old_path);
    const bool same_place = f.kind != ChangeKind::added && old_rank && folder_of(f.old_path) == folder_of(f.new_path) &&
                            *old_rank <= *rank;
    if (same_place) continue;  // edited, or renamed later in the order: judged below
    const std::string folder(folder_of(f.new_path));
    for (size_t r = *rank + 1; r < kConfigNames.size(); ++r) {
      const std::string sibling = folder + std::string(kConfigNames[r]);
      const auto text = at_head(sibling);
      if (!text) continue;
      const auto before = state_of(sibling, text);
      if (before && !before->on) break;  // the replaced one ran no gosec
      const auto after = state_of(f.new_path, at_head(f.new_path));
      std::string why;
      if (!before) {
        why = "that one could not be read and may run gosec";
      } else if (!after) {
        why = "this one could not be read within this check's limits and may not run gosec";
      } else if (auto w = weakened(*before, *after)) {
        why = w->second;
      } else {
        break;
      }
      out.push_back(make_finding(rule, f.path(), 0, std::string(),
                                 fmt::format("(added beside {}, which golangci-lint then no longer reads: it takes the "
                                             "first of .golangci.json, .toml, .yaml and .yml; {})",
                                             kConfigNames[r], why)));
      break;
    }
  }
}

}  // namespace

void check_security_linter_disabled(const Rule& rule, const Diff& diff, const BlobText& blob, const FileAt& at_head,
                                    std::vector<Finding>& out) {
  check_config_shadowed(rule, diff, at_head, out);
  for (const FileDiff& f : diff.files) {
    if (f.submodule || f.symlink || f.binary || f.kind == ChangeKind::added) continue;
    if (!golangci_config(f.old_path)) continue;
    auto report = [&](int line, const std::string& detail) {
      out.push_back(make_finding(rule, f.path(), line, line > 0 ? evidence_at(f, line) : std::string(), detail));
    };
    // The base's state; one that cannot be read says nothing about gosec,
    // unless it is TOML that names it.
    const auto base_text = blob(f.old_id);
    const auto before = state_of(f.old_path, base_text);
    if (!before) {
      if (toml_naming_gosec(f.old_path, base_text)) {
        report(line_of(f, "gosec"), "(a TOML configuration that names gosec is changed, deleted or moved; this check "
                                    "does not read TOML, so a person should)");
      }
      continue;
    }
    if (!before->on) continue;
    // Deleted, renamed to a name golangci-lint does not look for, or moved
    // to another folder (the old folder is then linted without it).
    if (f.kind == ChangeKind::deleted || !golangci_config(f.new_path) || folder_of(f.old_path) != folder_of(f.new_path)) {
      report(0, "(the configuration that ran gosec is deleted, renamed or moved)");
      continue;
    }
    const auto after = state_of(f.new_path, blob(f.new_id));
    if (!after) {
      // Fail closed: golangci-lint may read what this check refuses
      // (aliases, say), so an unreadable head could hide a disable.
      report(line_of(f, "gosec"), "(the configuration could not be read within this check's limits: invalid YAML, "
                                  "anchors or aliases, or over 256 KiB; gosec ran at the base and may be off)");
      continue;
    }
    if (auto w = weakened(*before, *after)) report(line_of(f, w->first), "(" + w->second + ")");
  }
}

}  // namespace reviewer::logic
