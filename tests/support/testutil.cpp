#include "support/testutil.h"

#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace reviewer::test {

const std::filesystem::path& process_scratch_root() {
  static const std::filesystem::path root = [] {
    auto p = std::filesystem::temp_directory_path() /
             ("reviewer-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
  }();
  return root;
}

std::filesystem::path scratch_dir(const std::string& label) {
  static std::atomic<int> counter{0};
  std::string safe;
  for (char c : label) safe += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  auto p = process_scratch_root() / (std::to_string(counter++) + "-" + safe.substr(0, 40));
  std::filesystem::create_directories(p);
  return p;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

void write_text(const std::filesystem::path& p, const std::string& text) {
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

int run_command(const std::string& cmd, std::string* output, bool merge_stderr) {
  std::string full = merge_stderr ? cmd + " 2>&1" : cmd;
  FILE* f = ::popen(full.c_str(), "r");
  if (!f) throw std::runtime_error("popen failed: " + cmd);
  std::array<char, 4096> buf;
  size_t n;
  std::string out;
  while ((n = fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
  int status = ::pclose(f);
  if (output) *output = std::move(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace reviewer::test
