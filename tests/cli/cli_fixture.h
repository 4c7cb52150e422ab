// Runs the shipped `reviewer` binary in end-to-end tests.
#pragma once

#include <atomic>
#include <string>

#include "support/testutil.h"

namespace reviewer::test {

struct CliRun {
  int rc = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `<env> timeout -k 5 30 reviewer <args>` (serve blocks SIGTERM until it is up) (passed to the shell as written):
// `env` is VAR=value assignments for the command, or empty.
inline CliRun reviewer_cli_env(const std::string& env, const std::string& args) {
  static std::atomic<int> n{0};
  auto err_file = process_scratch_root() / ("stderr-" + std::to_string(n++));
  CliRun r;
  r.rc = run_command(env + (env.empty() ? "" : " timeout -k 5 30 ") + std::string(REVIEWER_BINARY) + " " + args + " 2>" +
                         err_file.string(),
                     &r.out);
  r.err = read_text(err_file);
  return r;
}

// Runs `reviewer <args>` (args are passed to the shell as written).
inline CliRun reviewer_cli(const std::string& args) { return reviewer_cli_env("", args); }

}  // namespace reviewer::test
