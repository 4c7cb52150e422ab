// The one redactor at the pipeline's edge (DESIGN.md: secrets never reach a
// log, the audit log, GitHub or a model provider). Every text a review
// produces passes through it before anything is rendered, posted, logged or
// audited: every agent's findings (the model's included), the PR's title,
// body, branch names and commit messages, file paths, reasons and
// walkthroughs. It finds secrets itself, with the safety agent's secret
// rules, so an agent that quotes a line (a commented-out key) cannot leak
// what the safety agent reported at another place, or did not report.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "guidance/guidance.h"
#include "reviewer/core/agent_report.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/pull_request.h"
#include "reviewer/core/review_result.h"
#include "reviewer/core/secret_scan.h"

namespace reviewer {

namespace safety { struct RuleSet; }

// Reads and compiles the shipped defaults' rules, which every Redactor masks
// with, once per process; thread-safe. Called early on a spare thread
// (review_repository does, beside the diff), so the first Redactor, which
// runs after every agent, does not: with a team's own guidance that is a
// whole rule compilation (about 0.15 s of CPU), with the defaults a parse.
// Throws reviewer::Error if the shipped guidance cannot be read.
void prepare_redactor_rules();

class Redactor {
 public:
  // Learns the change's secrets: every value the secret rules of `guidance`
  // and of the shipped defaults (a team's guidance may switch a rule off;
  // the mask keeps it) find in the diff's lines, hunk headers and paths and
  // in the PR's texts, and the lines the safety agent flagged. `scan`, the
  // safety agent's scan of this `diff` (optional), stands in for reading
  // again the added lines of the files it finished, with the rule set it
  // used: everything else is read here.
  Redactor(const Guidance& guidance, const PullRequest& pr, const Diff& diff, const std::vector<AgentReport>& agents,
           const SecretScan* scan = nullptr);

  // `s` with every secret masked as "[redacted: <rule>]": values the rules
  // find in `s`, values learnt from the change wherever they occur (also
  // cut short, from 8 bytes on: an excerpt may end inside a key), and the
  // content of flagged lines. Idempotent; line breaks are kept.
  std::string text(std::string_view s) const;

  // What a model provider may see: text(), then any long token-like string
  // as "[redacted]" (a credential in no known format), layout kept.
  std::string model_text(std::string_view s) const;
  Diff model_diff(const Diff& d) const;       // paths and line contents
  PullRequest model_pr(const PullRequest& p) const;

  // Masks every text of a finished review in place: the PR, the diff
  // (paths: FileDiff::path_redacted when one changed; lines; notes), every
  // finding, error, reason, walkthrough, risk note and model call.
  void apply(ReviewResult& r) const;

  // The same for the PR and the diff alone (what review_change copies into
  // its result).
  PullRequest pr(const PullRequest& p) const;
  Diff diff(Diff d) const;

 private:
  struct Span {
    std::size_t begin, end;
    std::string rule;
  };
  // The spans every rule set but `except` finds in `text`.
  void rule_spans(std::string_view text, std::vector<Span>& spans, const safety::RuleSet* except = nullptr) const;
  // Learns the secret values the rules (but `except`) find in `text`;
  // returns how many spans they found (0: the text is clean).
  std::size_t learn(std::string_view text, const safety::RuleSet* except = nullptr);
  void remember(std::string_view value, const std::string& rule);
  // Our rule set of that guidance version, or nullptr.
  const safety::RuleSet* rule_set(const std::string& version) const;
  bool any_flagged(const FileDiff& file) const;  // the safety agent flagged a line of it
  const std::string* flagged_rule(const FileDiff& file, const DiffLine& line) const;
  // Flagged lines whole, then every line through `f` (one call per file);
  // the file gets new text only when something was masked.
  void mask_lines(FileDiff& file, const std::function<std::string(std::string_view)>& f) const;
  // The rules' own scan (`scan`), then known values and flagged lines (`known`).
  // `words`: also the learnt values that are ordinary words (not in paths).
  std::string mask(std::string_view s, bool scan, bool known, bool words = true) const;
  void known_spans(std::string_view s, std::vector<Span>& spans, bool words) const;
  // A file path: text() but for learnt values that are ordinary words.
  std::string path_text(std::string_view s) const;

  std::vector<std::shared_ptr<const safety::RuleSet>> rules_;
  std::vector<std::pair<std::string, std::string>> values_;        // (secret value, rule)
  std::map<std::pair<std::string, int>, std::string> flagged_;      // (path, new line) -> rule
  std::vector<std::pair<std::string, std::string>> secret_lines_;  // (trimmed content, rule)
  std::unordered_set<std::size_t> clean_files_;  // fingerprints of files the rules found nothing in
};

}  // namespace reviewer
