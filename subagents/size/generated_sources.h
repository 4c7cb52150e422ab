// A generated, vendored or lock file is left out of the size count; a
// change to one without a change to what it is made from (a *_pb2.py
// without its .proto, a lockfile without its manifest, vendor/ without the
// vendoring manifest) is either a hand edit in a place reviewers skim or a
// stale artefact. Either way a person should look: the rule
// `size/generated-without-source` is a warning, so such a change is never
// auto-approved. The pairs are guidance data (`size.generated_sources`).
#pragma once

#include <string>
#include <vector>

#include "guidance/guidance.h"
#include "guidance/path_matcher.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"

namespace reviewer::size {

inline constexpr const char* kGeneratedWithoutSource = "size/generated-without-source";

struct SourcePair {
  std::vector<std::string> generated;           // globs, tried in order (the first that matches gives {stem})
  std::vector<PathMatcher> generated_matchers;  // one per glob
  std::vector<std::string> sources;             // glob templates: {stem}, {dir}
};

struct SizeConfig {
  Severity severity = Severity::warning;
  bool off = false;
  bool shadow = false;
  std::string why, fix;
  std::vector<SourcePair> pairs;
};

// The `size` section, checked. Throws reviewer::Error naming the key
// ("guidance: size.generated_sources[2].sources: ...").
SizeConfig load_size_config(const Guidance& guidance);

// Findings for changed generated files whose source did not change.
std::vector<Finding> generated_without_source(const Diff& diff, const SizeConfig& config);

}  // namespace reviewer::size
