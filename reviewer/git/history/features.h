// The just-in-time defect-prediction features of one change (Kamei et al.,
// "A large-scale empirical study of just-in-time quality assurance", TSE
// 2013), computed from the history *before* the change, plus three of our
// own: prior reverts and fix share of the touched files, whether the
// change touches code at all, and how often the author's and the files'
// recent changes went bad (as known when the change was made). The same function scores a pull request and
// every past commit the model learns from, so training and use agree.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reviewer::history {

enum Feature : int {
  kLA,            // lines added
  kLD,            // lines deleted
  kLT,            // lines in the touched files before the change (mean per file)
  kNS,            // subsystems (top-level folders) touched
  kND,            // folders touched
  kNF,            // files touched
  kEntropy,       // how evenly the change spreads over its files (bits)
  kFix,           // the change says it fixes something
  kNDev,          // distinct authors who changed the touched files before
  kAge,           // mean days since the touched files last changed
  kNUC,           // distinct earlier changes to the touched files
  kExp,           // the author's earlier changes in the repository
  kRExp,          // the same, weighted by recency (1 / (1 + years ago))
  kSExp,          // the author's earlier changes in the touched subsystems
  kPriorReverts,  // reverts that touched these files before
  kFixShare,      // share of the touched files' earlier changes that were fixes
  kTouchesCode,   // 1 unless the change is docs- or tests-only
  kAuthorBugShare,  // share of the author's recent changes later reverted or blamed by a fix
  kFileBugShare,    // the same for the touched files' recent changes
  kFeatureCount
};

using FeatureVector = std::array<float, kFeatureCount>;

// The stable, lower-case name of a feature ("la", "ndev", "prior_reverts").
std::string_view feature_name(int f);

// What a file is for, from its path alone: documentation, tests or code.
enum class FileRole { code, docs, tests };
FileRole file_role(std::string_view path);

// The subsystem of a path: its top-level folder ("(root)" for a file at the
// top), or the two top levels under a monorepo container such as
// "packages/" or "src/"; and the folder holding it ("" at the top).
std::string subsystem_of(std::string_view path);
std::string folder_of(std::string_view path);

// Shannon entropy (bits) of the lines changed per file.
double change_entropy(const std::vector<int>& lines_changed_per_file);

}  // namespace reviewer::history
