// Reading one guidance YAML document within limits. Internal to the guidance
// library (yaml-cpp is its private dependency).
//
// A repository's own .github/reviewer.yml is untrusted input that a shared
// server parses for every pull request. yaml-cpp expands aliases when a
// document is walked, so a few hundred bytes of nested aliases (a "billion
// laughs") become gigabytes; it also recurses once per nesting level. The
// repository limits refuse anchors and aliases outright and bound size and
// depth before any node graph is built: the document is first read as a
// stream of parser events, which costs memory proportional to one level of
// nesting, not to the document.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

namespace reviewer::guidance_yaml {

struct Limits {
  std::size_t max_bytes = 0;     // 0: no limit
  int max_depth = 0;             // nested collections; 0: no limit
  bool allow_aliases = true;     // anchors (&a), aliases (*a) and merge keys (<<: *a)
  std::size_t max_nodes = 0;     // nodes after alias expansion (to_json); 0: no limit
  bool single_document = false;  // a second `---` document is an error, not silently dropped
};

// The operator's files are trusted (written by whoever runs the server), so
// they keep anchors; a node budget still stops an accidental blow-up.
inline constexpr Limits kOperator{0, 0, true, 500'000, false};
// A repository's file: 256 KiB (the size review reads), 16 levels (the
// deepest guidance key is 6 levels down), no anchors or aliases.
inline constexpr Limits kRepository{256 * 1024, 16, false, 200'000, true};

// `text` with every byte that is not part of well-formed UTF-8 replaced by
// U+FFFD: for YAML read as evidence (a linter's config), where refusing the
// whole file would drop the check that reads it.
std::string repair_utf8(std::string_view text);

// Throws reviewer::Error(invalid_input) "file:line:col: msg" (or "file: msg"
// when the mark is unknown).
[[noreturn]] void fail(const std::string& file, const YAML::Mark& mark, const std::string& msg);

// Parses `text` under `limits`. Throws reviewer::Error naming file:line:col
// for invalid YAML and for any limit exceeded; nothing is expanded first.
YAML::Node parse(const std::string& file, const std::string& text, const Limits& limits);

// The document as JSON: plain scalars that read as numbers or booleans
// become those, quoted ones stay strings. Throws when keys are not plain
// strings or the expansion exceeds limits.max_nodes.
nlohmann::json to_json(const std::string& file, const YAML::Node& root, const Limits& limits);

}  // namespace reviewer::guidance_yaml
