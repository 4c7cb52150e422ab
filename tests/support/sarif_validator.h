// Microsoft's SARIF validator (tests/tools, installed by `npm ci --prefix
// tests/tools`, which scripts/test.sh runs) for the tests of SARIF output.
#pragma once

#include <filesystem>
#include <string>

namespace reviewer::test {

// Validates one SARIF log written to `dir`. Returns "" when the validator
// ran and reported no error, else what went wrong with its output (also when
// the validator is not installed). `source_dir` is REVIEWER_SOURCE_DIR.
std::string sarif_problems(const std::string& source_dir, const std::string& sarif,
                           const std::filesystem::path& dir, const std::string& name);

}  // namespace reviewer::test
