// Slash commands in PR comments and the CODEOWNERS file (both written by
// people we do not trust): the parsers, and matching every rule's pattern
// against a few paths. Input: the first line is a path to match, the rest
// is parsed both as a comment body and as a CODEOWNERS file.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reviewer/commands/codeowners.h"
#include "reviewer/commands/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reviewer::commands;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nl = in.find('\n');
  const std::string_view path = nl == std::string_view::npos ? std::string_view("src/a/b.cpp") : in.substr(0, nl);
  const std::string_view text = nl == std::string_view::npos ? in : in.substr(nl + 1);
  (void)parse_commands(text, "reviewer");
  (void)parse_commands(text);
  const Codeowners co = parse_codeowners(text);
  (void)co.match(path);
  (void)co.match("docs/README.md");
  for (const auto& rule : co.rules) (void)codeowners_pattern_matches(rule.pattern, path);
  (void)reviewers_for(co, {std::string(path), "a/b/c"}, "org");
  return 0;
}
