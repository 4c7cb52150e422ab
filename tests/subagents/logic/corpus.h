// The logic corpus (tests/data/logic/*.txt): cases of a diff, or of base and
// head files for a repository, each with the rules it must produce.
//
//   === case name
//   expect: logic/rule-a logic/rule-b     (or "expect: none")
//   --- a/path | /dev/null                (a unified diff ...)
//   +++ b/path | /dev/null
//   @@ -1,2 +1,3 @@
//    context / +added / -deleted
//   file base|head|both PATH              (... or files; "both" = unchanged)
//   <<<
//   content lines
//   >>>
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "reviewer/core/diff.h"

namespace reviewer::test {

struct LogicCase {
  std::string source;   // corpus file name
  std::string name;
  std::set<std::string> expect;
  Diff diff;            // diff cases
  bool repo = false;    // file cases: build a repository
  std::map<std::string, std::string> base, head;
};

std::vector<LogicCase> load_corpus(const std::filesystem::path& dir);
// Parses unified diff text (---/+++/@@ lines) into a Diff.
Diff parse_unified_diff(const std::string& text);

}  // namespace reviewer::test
