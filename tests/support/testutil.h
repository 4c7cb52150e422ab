// Helpers shared by the test executables.
#pragma once

#include <filesystem>
#include <string>

namespace reviewer::test {

// This process's scratch root (created on first use, under $TMPDIR).
const std::filesystem::path& process_scratch_root();

// A fresh, empty directory for one test case, named after `label`.
std::filesystem::path scratch_dir(const std::string& label);

// Whole file as bytes; throws std::runtime_error when unreadable.
std::string read_text(const std::filesystem::path& p);
// The environment variable's value, "" when unset.
std::string env_or_empty(const char* name);
void write_text(const std::filesystem::path& p, const std::string& text);

// Runs a shell command, capturing stdout (and stderr when merge_stderr),
// returning the exit code. For CLI end-to-end tests only.
int run_command(const std::string& cmd, std::string* output, bool merge_stderr = false);

}  // namespace reviewer::test
