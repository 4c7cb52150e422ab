#include "support/sarif_validator.h"

#include "support/testutil.h"

namespace reviewer::test {

std::string sarif_problems(const std::string& source_dir, const std::string& sarif,
                           const std::filesystem::path& dir, const std::string& name) {
  std::string tool = source_dir + "/tests/tools/node_modules/.bin/sarif-multitool";
  if (!std::filesystem::exists(tool)) {
    return "SARIF validator missing: run `npm ci --prefix tests/tools` (scripts/test.sh does)";
  }
  auto file = dir / (name + ".sarif");
  auto result = dir / (name + ".validation.sarif");
  write_text(file, sarif);
  std::string out;
  int rc = run_command(tool + " validate '" + file.string() + "' -o '" + result.string() + "'", &out, true);
  // The validator exits 0 even when it reports errors: read its output too.
  if (rc != 0 || out.find("Analysis completed successfully") == std::string::npos ||
      out.find(": error ") != std::string::npos) {
    return "the SARIF validator rejected " + file.string() + " (exit " + std::to_string(rc) + "):\n" + out;
  }
  return "";
}

}  // namespace reviewer::test
