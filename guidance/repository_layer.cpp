// A repository's own .github/reviewer.yml, layered over the operator's
// guidance so that it can only make a review stricter. The file is read at
// the base branch, so a pull request cannot edit the rules it is judged by;
// but whoever can merge to the base branch is not necessarily trusted by the
// operator either, so every key is compared with the operator's value and
// applies only in the direction the table below allows. Anything else is
// left out and reported (Guidance::refused); the rest of the file applies.
// guidance/README.md documents the same table for people.
#include <algorithm>
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "guidance/guidance.h"
#include "guidance/guidance_internal.h"

namespace reviewer {

namespace {

using Path = std::vector<std::string>;
using nlohmann::json;

enum class Direction {
  lower,        // numbers down; booleans only to false
  raise,        // numbers up; booleans only to true
  severity_up,  // info < warning < error < critical
  state_up,     // off < shadow < on
  add,          // a list: the repository's entries are added to the operator's
  narrow,       // a list: only entries the operator's list has may stay
  fixed,        // only the operator's guidance sets it
};

struct KeyRule {
  std::vector<std::string_view> pattern;  // "*" matches any one key
  Direction direction;
  // When the operator's layers do not set the key: the sibling key whose
  // value stands in for it (a deadline per agent falls back to "default").
  std::string_view fallback = {};
};

// Every key a repository may set, and how. A key not listed is `fixed`.
// Parents of listed keys are walked key by key; a parent not listed is
// compared whole (also `fixed`).
const std::vector<KeyRule>& key_rules() {
  static const std::vector<KeyRule> rules = {
      {{"thresholds", "auto_approve", "*"}, Direction::lower},
      {{"thresholds", "max_file_bytes"}, Direction::lower},  // a smaller cap marks files partial: needs_human
      // A lower limit makes more reviews partial: needs_human, never an approval.
      {{"thresholds", "partial_review", "*"}, Direction::lower},
      // A shorter deadline makes an agent time out: needs_human, never an approval.
      {{"thresholds", "deadlines_ms", "*"}, Direction::lower, "default"},
      {{"protected_paths"}, Direction::add},
      {{"excluded_paths"}, Direction::narrow},
      {{"auto_approve", "enabled"}, Direction::lower},
      {{"auto_approve", "excluded_authors"}, Direction::add},
      {{"auto_approve", "excluded_paths"}, Direction::add},
      {{"safety", "rules", "*", "state"}, Direction::state_up},
      {{"safety", "rules", "*", "severity"}, Direction::severity_up},
      {{"safety", "test_severity"}, Direction::severity_up},
      {{"safety", "test_paths"}, Direction::narrow},    // fewer files get the test cap
      {{"safety", "placeholders"}, Direction::narrow},  // fewer values pass as placeholders
      {{"logic", "rules", "*", "state"}, Direction::state_up},
      {{"logic", "rules", "*", "enabled"}, Direction::raise},
      {{"logic", "rules", "*", "severity"}, Direction::severity_up},
      {{"logic", "tests", "min_added_lines"}, Direction::lower},
      {{"intent", "rules", "*", "state"}, Direction::state_up},
      {{"intent", "rules", "*", "severity"}, Direction::severity_up},
      {{"intent", "severity", "*"}, Direction::severity_up},
      {{"intent", "description", "min_body_chars"}, Direction::raise},
      {{"intent", "description", "min_title_words"}, Direction::raise},
      {{"intent", "description", "min_unchecked_boxes"}, Direction::lower},
      {{"intent", "ticket", "required"}, Direction::raise},
      {{"size", "rules", "*", "state"}, Direction::state_up},
      {{"size", "rules", "*", "severity"}, Direction::severity_up},
      {{"size", "generated_sources"}, Direction::add},
      {{"history", "approve_share"}, Direction::lower},
      {{"history", "threshold"}, Direction::lower},
  };
  return rules;
}

bool matches(const std::vector<std::string_view>& pattern, const Path& path, std::size_t n) {
  if (n > pattern.size() || n > path.size()) return false;
  for (std::size_t i = 0; i < n; ++i) {
    if (pattern[i] != "*" && pattern[i] != path[i]) return false;
  }
  return true;
}

const KeyRule* rule_for(const Path& path) {
  for (const auto& r : key_rules()) {
    if (r.pattern.size() == path.size() && matches(r.pattern, path, path.size())) return &r;
  }
  return nullptr;
}

// A mapping some listed key lies below: walked key by key.
bool is_parent(const Path& path) {
  return std::any_of(key_rules().begin(), key_rules().end(), [&](const KeyRule& r) {
    return r.pattern.size() > path.size() && matches(r.pattern, path, path.size());
  });
}

std::string dotted(const Path& path) { return fmt::format("{}", fmt::join(path, ".")); }

// A rule the operator's layers do not have may be added whole: it can only
// add findings. Safety rules of kind secret and hidden are the exception: a
// secret rule claims the span it matches (a built-in rule on the same value
// then stays silent), so a repository could use one to re-grade a real
// secret; hidden rules are kept to the operator for the same caution.
bool new_rule_allowed(const Path& path, const YAML::Node& value, std::string* why) {
  if (path.size() != 3 || path[1] != "rules") return false;
  if (path[0] == "logic") return true;
  if (path[0] != "safety") return false;
  const YAML::Node kind = value.IsMap() ? value["kind"] : YAML::Node();
  if (kind && kind.IsScalar() && (kind.Scalar() == "code" || kind.Scalar() == "file")) return true;
  *why =
      "a repository may add safety rules of kind code or file only (a secret or hidden-text rule could "
      "take over what a built-in rule reports)";
  return false;
}

constexpr std::array<std::string_view, 4> kSeverities = {"info", "warning", "error", "critical"};
constexpr std::array<std::string_view, 3> kStates = {"off", "shadow", "on"};

template <std::size_t N>
int rank_of(const std::array<std::string_view, N>& order, const json& v) {
  if (!v.is_string()) return -1;
  auto it = std::find(order.begin(), order.end(), v.get<std::string>());
  return it == order.end() ? -1 : static_cast<int>(it - order.begin());
}

// How far up (or down) a value sits, for the ordered directions; nullopt
// when it cannot be placed (wrong type, unknown word).
std::optional<double> position(Direction d, const json& v) {
  if (d == Direction::state_up && v.is_boolean()) {  // YAML reads a bare on/off as a boolean
    return v.get<bool>() ? kStates.size() - 1.0 : 0.0;
  }
  if (d == Direction::severity_up || d == Direction::state_up) {
    int r = d == Direction::severity_up ? rank_of(kSeverities, v) : rank_of(kStates, v);
    return r < 0 ? std::nullopt : std::optional<double>(r);
  }
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

// The highest (raise) or lowest (lower) value, which cannot loosen whatever
// the agent's built-in default is; nullopt for numbers (no such value).
std::optional<std::pair<double, std::string_view>> extreme(Direction d, const json& v) {
  if (d == Direction::severity_up) return std::pair{kSeverities.size() - 1.0, kSeverities.back()};
  if (d == Direction::state_up) return std::pair{kStates.size() - 1.0, kStates.back()};
  if (v.is_boolean()) {
    return d == Direction::raise ? std::pair{1.0, std::string_view("true")} : std::pair{0.0, std::string_view("false")};
  }
  return std::nullopt;
}

std::string ordered_reason(Direction d, const json& op, const json& v) {
  const std::string mine = v.dump(), theirs = op.dump();
  switch (d) {
    case Direction::severity_up:
      return fmt::format(
          "a rule's severity may only be raised (info < warning < error < critical): the "
          "operator's is {}, the file asks for {}",
          theirs, mine);
    case Direction::state_up:
      return fmt::format(
          "a rule may only be switched on (off < shadow < on): the operator's state is {}, "
          "the file asks for {}",
          theirs, mine);
    case Direction::lower:
      return fmt::format("may only be lowered: the operator's value is {}, the file asks for {}", theirs,
                         mine);
    default:
      return fmt::format("may only be raised: the operator's value is {}, the file asks for {}", theirs,
                         mine);
  }
}

class RepositoryLayer {
 public:
  RepositoryLayer(const std::string& file, std::vector<RefusedKey>& refused)
      : file_(file), refused_(refused) {}

  // Copies into `out` what the mapping `node` (at `path`) may set over the
  // operator's `op` (null when the operator's layers do not have it).
  void walk(const YAML::Node& node, const json* op, Path& path, json& out) {
    for (const auto& kv : node) {
      const std::string& key = kv.first.Scalar();
      path.push_back(key);
      const json* op_child = op && op->is_object() && op->contains(key) ? &(*op)[key] : nullptr;
      one(kv.first.Mark(), kv.second, op, op_child, path, out);
      path.pop_back();
    }
  }

 private:
  void one(const YAML::Mark& mark, const YAML::Node& value, const json* op_parent, const json* op, Path& path,
           json& out) {
    const std::string key = path.back();  // a copy: walking below grows `path`
    if (value.IsNull()) return;           // an empty section sets nothing
    std::string why;
    if (!op && value.IsMap() && new_rule_allowed(path, value, &why)) {
      out[key] = guidance_yaml::to_json(file_, value, guidance_yaml::kRepository);
      return;
    }
    if (!why.empty()) return refuse(mark, path, why);
    if (value.IsMap() && is_parent(path)) {
      json sub = json::object();
      walk(value, op, path, sub);
      if (!sub.empty()) out[key] = std::move(sub);
      return;
    }
    const KeyRule* rule = rule_for(path);
    if (!op && rule && !rule->fallback.empty() && op_parent && op_parent->contains(rule->fallback)) {
      op = &(*op_parent)[std::string(rule->fallback)];
    }
    const json v = guidance_yaml::to_json(file_, value, guidance_yaml::kRepository);
    const Direction d = rule ? rule->direction : Direction::fixed;
    switch (d) {
      case Direction::add: return add(mark, v, op, path, out);
      case Direction::narrow: return narrow(value, v, op, path, out);
      case Direction::fixed:
        if (op && *op == v) return;  // the operator's own value: nothing to change
        return refuse(mark, path, "only the operator's guidance sets this key");
      default: return ordered(mark, d, v, op, path, out);
    }
  }

  void ordered(const YAML::Mark& mark, Direction d, const json& v, const json* op, const Path& path,
               json& out) {
    const auto mine = position(d, v);
    if (!mine) {
      return refuse(mark, path, fmt::format("{} cannot be compared with the operator's value", v.dump()));
    }
    if (!op) {
      // The agent's built-in value applies, which this layer cannot see.
      const auto top = extreme(d, v);
      if (top && *mine == top->first) {
        out[path.back()] = v;
        return;
      }
      return refuse(mark, path,
                    top ? fmt::format("the operator's guidance does not set it (the agent's built-in value "
                                      "applies), so only {} is sure not to loosen it",
                                      top->second)
                        : "the operator's guidance does not set it, so a repository cannot change it");
    }
    const auto theirs = position(d, *op);
    if (theirs && (d == Direction::lower ? *mine <= *theirs : *mine >= *theirs)) {
      out[path.back()] = v;
      return;
    }
    refuse(mark, path, ordered_reason(d, *op, v));
  }

  void add(const YAML::Mark& mark, const json& v, const json* op, const Path& path, json& out) {
    if (!v.is_array()) return refuse(mark, path, "must be a list");
    json all = op && op->is_array() ? *op : json::array();
    for (const auto& e : v) {
      if (std::find(all.begin(), all.end(), e) == all.end()) all.push_back(e);
    }
    out[path.back()] = std::move(all);
  }

  void narrow(const YAML::Node& node, const json& v, const json* op, Path& path, json& out) {
    if (!v.is_array()) return refuse(node.Mark(), path, "must be a list");
    bool narrower = true;
    std::size_t i = 0;
    for (const auto& e : v) {
      const YAML::Node& item = node[i++];
      if (op && op->is_array() && std::find(op->begin(), op->end(), e) != op->end()) continue;
      narrower = false;
      refuse(item.Mark(), path,
             fmt::format("a repository may remove entries, never add them: {} is not in the operator's list",
                         e.dump()));
    }
    // A list with an entry of its own is ignored whole, like any loosening
    // key: what is left of it is not what the file asked for.
    if (narrower) out[path.back()] = v;
  }

  void refuse(const YAML::Mark& mark, const Path& path, std::string reason) {
    RefusedKey r;
    r.key = dotted(path);
    r.line = mark.is_null() ? 0 : mark.line + 1;
    r.location = mark.is_null() ? file_ : fmt::format("{}:{}:{}", file_, mark.line + 1, mark.column + 1);
    r.reason = std::move(reason);
    refused_.push_back(std::move(r));
  }

  const std::string& file_;
  std::vector<RefusedKey>& refused_;
};

}  // namespace

Guidance layer_repository(const Guidance& operator_guidance, const std::string& name,
                          const std::string& text) {
  const YAML::Node root = guidance_detail::parse_root(name, text, guidance_yaml::kRepository);
  std::vector<std::string> sources = operator_guidance.sources;
  sources.push_back(name);
  std::vector<RefusedKey> refused;
  json doc = operator_guidance.document;
  if (!root.IsNull()) {
    guidance_detail::validate(name, root);
    // Whole-document checks the walk below would not reach (keys that are
    // not plain strings anywhere): such a file is invalid, not half-applied.
    guidance_yaml::to_json(name, root, guidance_yaml::kRepository);
    json allowed = json::object();
    Path path;
    RepositoryLayer(name, refused).walk(root, &operator_guidance.document, path, allowed);
    guidance_detail::merge(doc, allowed);
  }
  Guidance g = guidance_detail::finish(std::move(doc), std::move(sources));
  g.refused = std::move(refused);
  return g;
}

nlohmann::json read_untrusted_yaml(const std::string& name, const std::string& text) {
  // Not refused for a stray Latin-1 byte (a comment, say): a linter's
  // config on the base must still be read, or removing a check from it
  // would go unseen (read26c); guidance files themselves are refused.
  const YAML::Node root = guidance_yaml::parse(name, guidance_yaml::repair_utf8(text), guidance_yaml::kRepository);
  return guidance_yaml::to_json(name, root, guidance_yaml::kRepository);
}

}  // namespace reviewer
