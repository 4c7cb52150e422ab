// The doctest runner for every test executable: initialises libgit2 once
// and gives the process a scratch directory (kept if a test fails).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "reviewer/git/handles.h"
#include "support/testutil.h"

int main(int argc, char** argv) {
  reviewer::git::Library git;
  auto root = reviewer::test::process_scratch_root();
  doctest::Context ctx(argc, argv);
  int rc = ctx.run();
  std::error_code ec;
  if (rc == 0 && !ctx.shouldExit()) {
    std::filesystem::remove_all(root, ec);
  } else if (rc != 0) {
    std::cerr << "scratch files kept in " << root << "\n";
  }
  return rc;
}
