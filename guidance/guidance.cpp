#include "guidance/guidance.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "guidance/default_guidance.h"
#include "guidance/guidance_internal.h"
#include "guidance/yaml_document.h"
#include "reviewer/core/error.h"
#include "reviewer/core/sha256.h"

namespace reviewer {

namespace {

using guidance_yaml::fail;

// Top-level keys. Agent-owned sections are validated by their agents; the
// loader only checks that they are mappings.
const std::set<std::string, std::less<>> kKnownKeys = {"thresholds", "protected_paths", "excluded_paths",
                                                       "auto_approve"};
const std::set<std::string, std::less<>> kAgentSections = {"safety", "intent", "logic", "size", "history"};

long require_int(const std::string& file, const YAML::Node& n, const std::string& key, long min) {
  long long v;
  if (!n.IsScalar() || n.Tag() != "?" || !YAML::convert<long long>::decode(n, v)) {
    fail(file, n.Mark(),
         fmt::format("'{}' must be an integer, got '{}'", key, n.IsScalar() ? n.Scalar() : "a collection"));
  }
  if (v < min) fail(file, n.Mark(), fmt::format("'{}' must be at least {}, got {}", key, min, v));
  return static_cast<long>(v);
}

void require_map(const std::string& file, const YAML::Node& n, const std::string& key) {
  if (!n.IsMap()) fail(file, n.Mark(), fmt::format("'{}' must be a mapping", key));
}

void check_keys(const std::string& file, const YAML::Node& map, const std::string& where,
                std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : map) {
    const auto& k = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      fail(file, kv.first.Mark(),
           fmt::format("unknown key '{}' in {} (known: {})", k, where, fmt::join(allowed, ", ")));
    }
  }
}

void require_globs(const std::string& file, const YAML::Node& v, const std::string& key) {
  if (!v.IsSequence()) fail(file, v.Mark(), fmt::format("'{}' must be a list of globs", key));
  for (const auto& g : v) {
    if (!g.IsScalar() || g.Scalar().empty()) {
      fail(file, g.Mark(), fmt::format("'{}' entries must be non-empty strings", key));
    }
    try {
      PathMatcher m({g.Scalar()});
    } catch (const Error& e) {
      fail(file, g.Mark(), fmt::format("invalid glob '{}': {}", g.Scalar(), e.what()));
    }
  }
}

void validate_auto_approve(const std::string& file, const YAML::Node& v) {
  require_map(file, v, "auto_approve");
  check_keys(file, v, "auto_approve", {"enabled", "repositories", "excluded_authors", "excluded_paths"});
  if (const auto e = v["enabled"]) {
    bool b;
    if (!e.IsScalar() || e.Tag() != "?" || !YAML::convert<bool>::decode(e, b)) {
      fail(file, e.Mark(), fmt::format("'enabled' must be true or false, got '{}'",
                                       e.IsScalar() ? e.Scalar() : "a collection"));
    }
  }
  if (v["repositories"]) require_globs(file, v["repositories"], "repositories");
  if (v["excluded_paths"]) require_globs(file, v["excluded_paths"], "excluded_paths");
  if (const auto a = v["excluded_authors"]) {
    if (!a.IsSequence()) fail(file, a.Mark(), "'excluded_authors' must be a list of logins");
    for (const auto& l : a) {
      if (!l.IsScalar() || l.Scalar().empty()) fail(file, l.Mark(), "'excluded_authors' entries must be logins");
    }
  }
}

}  // namespace

namespace guidance_detail {

YAML::Node parse_root(const std::string& name, const std::string& text, const guidance_yaml::Limits& limits) {
  YAML::Node root = guidance_yaml::parse(name, text, limits);
  if (!root.IsNull() && !root.IsMap()) fail(name, root.Mark(), "a guidance file must be a mapping of keys");
  return root;
}

void validate(const std::string& file, const YAML::Node& root) {
  for (const auto& kv : root) {
    const std::string& key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "thresholds") {
      require_map(file, v, key);
      check_keys(file, v, "thresholds", {"auto_approve", "max_file_bytes", "deadlines_ms", "partial_review"});
      if (v["auto_approve"]) {
        require_map(file, v["auto_approve"], "auto_approve");
        check_keys(file, v["auto_approve"], "thresholds.auto_approve",
                   {"max_lines", "max_files", "max_areas", "max_bytes"});
        for (const auto& lim : v["auto_approve"]) require_int(file, lim.second, lim.first.Scalar(), 0);
      }
      if (v["max_file_bytes"]) require_int(file, v["max_file_bytes"], "max_file_bytes", 1);
      if (v["partial_review"]) {
        require_map(file, v["partial_review"], "partial_review");
        check_keys(file, v["partial_review"], "thresholds.partial_review", {"max_lines", "max_bytes"});
        for (const auto& lim : v["partial_review"]) require_int(file, lim.second, lim.first.Scalar(), 1);
      }
      if (v["deadlines_ms"]) {
        require_map(file, v["deadlines_ms"], "deadlines_ms");
        for (const auto& d : v["deadlines_ms"]) require_int(file, d.second, d.first.Scalar(), 1);
      }
    } else if (key == "protected_paths" || key == "excluded_paths") {
      require_globs(file, v, key);
    } else if (key == "auto_approve") {
      validate_auto_approve(file, v);
    } else if (kAgentSections.count(key)) {
      if (!v.IsMap() && !v.IsNull()) fail(file, v.Mark(), fmt::format("'{}' must be a mapping", key));
    } else {
      std::vector<std::string> all(kKnownKeys.begin(), kKnownKeys.end());
      all.insert(all.end(), kAgentSections.begin(), kAgentSections.end());
      fail(file, kv.first.Mark(), fmt::format("unknown key '{}' (known: {})", key, fmt::join(all, ", ")));
    }
  }
}

// Later layers override earlier ones key by key; lists are replaced whole.
void merge(nlohmann::json& into, const nlohmann::json& from) {
  for (auto it = from.begin(); it != from.end(); ++it) {
    if (it->is_object() && into.contains(it.key()) && into[it.key()].is_object()) {
      merge(into[it.key()], *it);
    } else {
      into[it.key()] = *it;
    }
  }
}

}  // namespace guidance_detail

namespace {

void load_one(const std::string& name, const std::string& text, nlohmann::json& doc) {
  const YAML::Node root = guidance_detail::parse_root(name, text, guidance_yaml::kOperator);
  if (root.IsNull()) return;
  guidance_detail::validate(name, root);
  guidance_detail::merge(doc, guidance_yaml::to_json(name, root, guidance_yaml::kOperator));
}

std::vector<std::string> strings(const nlohmann::json& doc, const char* key) {
  std::vector<std::string> out;
  if (doc.contains(key) && doc[key].is_array()) {
    for (const auto& s : doc[key]) out.push_back(s.get<std::string>());
  }
  return out;
}

}  // namespace

Guidance guidance_detail::finish(nlohmann::json doc, std::vector<std::string> sources) {
  Guidance g;
  const nlohmann::json t = doc.value("thresholds", nlohmann::json::object());
  const nlohmann::json aa = t.value("auto_approve", nlohmann::json::object());
  const nlohmann::json deadlines = t.value("deadlines_ms", nlohmann::json::object());
  g.auto_approve.max_lines = aa.value("max_lines", g.auto_approve.max_lines);
  g.auto_approve.max_files = aa.value("max_files", g.auto_approve.max_files);
  g.auto_approve.max_areas = aa.value("max_areas", g.auto_approve.max_areas);
  g.auto_approve.max_bytes = aa.value("max_bytes", g.auto_approve.max_bytes);
  g.max_file_bytes = t.value("max_file_bytes", g.max_file_bytes);
  const nlohmann::json partial = t.value("partial_review", nlohmann::json::object());
  g.partial_review.max_lines = partial.value("max_lines", g.partial_review.max_lines);
  g.partial_review.max_bytes = partial.value("max_bytes", g.partial_review.max_bytes);
  for (const auto& [agent, ms] : deadlines.items()) {
    if (agent == "default") {
      g.default_deadline_ms = ms.get<int>();
    } else {
      g.deadlines_ms[agent] = ms.get<int>();
    }
  }
  const nlohmann::json policy = doc.value("auto_approve", nlohmann::json::object());
  g.auto_approve_policy.enabled = policy.value("enabled", false);
  g.auto_approve_policy.repositories = strings(policy, "repositories");
  g.auto_approve_policy.excluded_authors = strings(policy, "excluded_authors");
  g.auto_approve_policy.excluded_paths = strings(policy, "excluded_paths");
  g.protected_paths = strings(doc, "protected_paths");
  g.excluded_paths = strings(doc, "excluded_paths");
  g.protected_matcher = PathMatcher(g.protected_paths);
  g.excluded_matcher = PathMatcher(g.excluded_paths);
  g.version = sha256_hex(doc.dump());  // nlohmann orders keys: canonical
  g.document = std::move(doc);
  g.sources = std::move(sources);
  return g;
}

SizeStats measure_size(const Diff& diff, const Guidance& guidance) {
  return measure_size(
      diff, [&guidance](std::string_view path) { return guidance.excluded_matcher.matches(path); },
      guidance.auto_approve);
}

int Guidance::deadline_ms(std::string_view agent) const {
  auto it = deadlines_ms.find(agent);
  return it == deadlines_ms.end() ? default_deadline_ms : it->second;
}

const nlohmann::json& Guidance::section(std::string_view name) const {
  static const nlohmann::json empty = nlohmann::json::object();
  auto it = document.find(name);
  return (it == document.end() || !it->is_object()) ? empty : *it;
}

namespace {

// The shipped defaults as one merged document, parsed once per process:
// yaml-cpp takes about 15 ms over them, and a review loads them more than
// once (the operator's layer, the redactor's shipped rules, the intent
// agent's defaults), a server on every guidance reload.
struct Defaults {
  nlohmann::json doc = nlohmann::json::object();
  std::vector<std::string> sources;
};

const Defaults& shipped_defaults() {
  static const Defaults defaults = [] {
    Defaults d;
    for (const auto& [name, text] : default_guidance_files()) {
      load_one("<default>/" + std::string(name), std::string(text), d.doc);
      d.sources.push_back("<default>/" + std::string(name));
    }
    return d;
  }();
  return defaults;
}

}  // namespace

void parse_shipped_guidance() { (void)shipped_defaults(); }

Guidance load_guidance_texts(const std::vector<std::pair<std::string, std::string>>& docs) {
  nlohmann::json doc = shipped_defaults().doc;
  std::vector<std::string> sources = shipped_defaults().sources;
  for (const auto& [name, text] : docs) {
    load_one(name, text, doc);
    sources.push_back(name);
  }
  return guidance_detail::finish(std::move(doc), std::move(sources));
}

std::vector<std::pair<std::string, std::string>> read_guidance_dir(const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> docs;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(Error::Code::invalid_input,
                fmt::format("guidance directory '{}' does not exist or is not a directory", dir.string()));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    auto ext = e.path().extension();
    if (e.is_regular_file() && (ext == ".yml" || ext == ".yaml")) files.push_back(e.path());
  }
  if (ec) throw Error(Error::Code::io, fmt::format("cannot list '{}': {}", dir.string(), ec.message()));
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    if (!in || !(ss << in.rdbuf())) {
      throw Error(Error::Code::io, fmt::format("{}: cannot read guidance file", f.string()));
    }
    docs.emplace_back(f.string(), ss.str());
  }
  return docs;
}

Guidance load_guidance(const std::vector<std::filesystem::path>& dirs,
                       const std::vector<std::pair<std::string, std::string>>& extra) {
  std::vector<std::pair<std::string, std::string>> docs;
  for (const auto& dir : dirs) {
    auto more = read_guidance_dir(dir);
    docs.insert(docs.end(), more.begin(), more.end());
  }
  docs.insert(docs.end(), extra.begin(), extra.end());
  return load_guidance_texts(docs);
}

std::vector<std::string> check_guidance_dir(const std::filesystem::path& dir, int* files_checked) {
  auto docs = read_guidance_dir(dir);
  if (files_checked) *files_checked = static_cast<int>(docs.size());
  std::vector<std::string> errors;
  for (const auto& doc : docs) {
    try {
      load_guidance_texts({doc});
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  if (errors.empty()) {
    try {
      load_guidance_texts(docs);  // problems that only show once merged
    } catch (const Error& e) {
      errors.push_back(e.what());
    }
  }
  return errors;
}

}  // namespace reviewer
