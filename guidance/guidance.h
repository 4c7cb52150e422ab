// Team guidance: thresholds, deadlines, protected and excluded paths, and the
// sections each agent reads its rules from. Loaded from YAML files in layers:
// the shipped defaults (compiled into the binary), then each directory given,
// later layers overriding earlier ones key by key.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "guidance/path_matcher.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/size_stats.h"

namespace reviewer {

// Who may be approved on GitHub without a person (the `auto_approve` key).
// The decision `approve` is the policy's judgement of the change; this
// decides whether that judgement may be posted as an APPROVE review. Off
// unless an operator turns it on. A repository's own `.github/reviewer.yml`
// can only tighten it (see tighten_auto_approve).
struct AutoApprovePolicy {
  bool enabled = false;
  std::vector<std::string> repositories;      // globs over "owner/name"; empty: every repository
  std::vector<std::string> excluded_authors;  // logins, compared case-insensitively
  std::vector<std::string> excluded_paths;    // globs; a change touching one is never auto-approved
};

// A key of a repository's own guidance file that would loosen the
// operator's guidance: it is ignored, and the review reports it as a
// `guidance/invalid-repository-guidance` warning (so the change is never
// auto-approved while the file asks for it).
struct RefusedKey {
  std::string key;       // dotted path, e.g. "thresholds.auto_approve.max_lines"
  std::string location;  // "file:line:col"
  int line = 0;          // 1-based line in the file
  std::string reason;    // one sentence: what a repository may do with this key
};

struct PartialReviewLimits {
  long max_lines = 50000;
  long max_bytes = 50000000;
};

struct Guidance {
  AutoApproveLimits auto_approve;
  AutoApprovePolicy auto_approve_policy;
  long max_file_bytes = 1 << 20;  // per file, what the diff loads at most
  // Above either (changed lines, or bytes of changed lines, every file
  // counted), agents other than safety and size may review part of the
  // change and say so (AgentReport::partial); the run then needs a human.
  PartialReviewLimits partial_review;
  int default_deadline_ms = 10000;
  std::map<std::string, int, std::less<>> deadlines_ms;  // per agent name
  std::vector<std::string> protected_paths;  // globs; touching one needs a human
  std::vector<std::string> excluded_paths;   // globs; generated, vendored, lock files
  PathMatcher protected_matcher;
  PathMatcher excluded_matcher;

  // The merged document, for agent-owned sections ("safety", "intent", ...).
  nlohmann::json document;
  // SHA-256 (hex) of the merged document's canonical JSON: which guidance
  // judged a run, recorded with every review.
  std::string version;
  std::vector<std::string> sources;  // files loaded, in order
  // Keys of the repository's own file that were ignored (layer_repository).
  std::vector<RefusedKey> refused;

  int deadline_ms(std::string_view agent) const;
  // The section an agent owns, or an empty object.
  const nlohmann::json& section(std::string_view name) const;
};

struct AutoApproveVerdict {
  bool allowed = false;
  std::string reason;  // why not, or which rule allowed it; one sentence
};

// May an `approve` decision on this change be posted as APPROVE? `paths`
// are the changed files (old and new names).
AutoApproveVerdict auto_approve_verdict(const Guidance& g, std::string_view repository, std::string_view author,
                                        const std::vector<std::string>& paths);

// Layers a repository's own guidance file (`name`, `text`: untrusted) over
// the operator's guidance. The file can only tighten: each key applies only
// in the direction guidance/README.md's table allows (limits lowered,
// protected paths added, exclusions narrowed, rules switched on or raised),
// and any other setting is left out and listed in Guidance::refused. The
// file is parsed under guidance_yaml::kRepository (no anchors or aliases,
// bounded size and depth). Throws reviewer::Error "file:line:col: ..." when
// the file is not valid guidance at all.
Guidance layer_repository(const Guidance& operator_guidance, const std::string& name,
                          const std::string& text);

// A YAML (or JSON) document from a pull request that is not guidance, such
// as a linter's configuration, as JSON, read under the same limits as a
// repository's guidance file (256 KiB, 16 levels, no anchors or aliases,
// one document). Throws reviewer::Error "file:line:col: ..." when it is not
// valid YAML or breaks a limit.
nlohmann::json read_untrusted_yaml(const std::string& name, const std::string& text);

// Loads the shipped defaults, then every *.yml / *.yaml file of each
// directory in order (files sorted by name), then `extra` documents (name,
// YAML text) on top. Throws reviewer::Error naming "file:line:col" on
// invalid YAML, unknown keys, wrong types, bad globs.
Guidance load_guidance(const std::vector<std::filesystem::path>& dirs = {},
                       const std::vector<std::pair<std::string, std::string>>& extra = {});

// (path, text) of every *.yml / *.yaml file of `dir`, sorted by name.
// Throws reviewer::Error when the directory or a file cannot be read.
std::vector<std::pair<std::string, std::string>> read_guidance_dir(const std::filesystem::path& dir);

// Same, from in-memory documents (name, YAML text): for tests and for the
// repository file read from a commit.
Guidance load_guidance_texts(const std::vector<std::pair<std::string, std::string>>& docs);
// Parses the shipped defaults now; every load_guidance* call starts from
// them, parsed once per process. Lets a caller do it on another thread
// while it does other work. Thread-safe.
void parse_shipped_guidance();

}  // namespace reviewer

namespace reviewer {

// Validates every guidance file of `dir` on its own and then all of them
// merged, collecting every problem rather than stopping at the first.
// Returns the error messages ("file:line:col: ..."); empty when valid.
// `files_checked` (if given) receives how many files were read.
std::vector<std::string> check_guidance_dir(const std::filesystem::path& dir, int* files_checked = nullptr);

// The size of `diff` under `guidance`: its excluded paths left out of the
// count and its auto-approve limits applied (core measure_size).
SizeStats measure_size(const Diff& diff, const Guidance& guidance);

}  // namespace reviewer
