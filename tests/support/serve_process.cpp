#include "support/serve_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "server_fixture.h"

namespace reviewer::test {

namespace {

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

std::string file_tail(const std::filesystem::path& p, std::size_t bytes) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? s.substr(s.size() - bytes) : s;
}

ServeProcess::ServeProcess(std::map<std::string, std::string> env, int port, std::filesystem::path log,
                           std::chrono::milliseconds ready)
    : port_(port), log_(std::move(log)) {
  env["REVIEWER_LISTEN"] = fmt::format("127.0.0.1:{}", port);
  for (const char* keep : {"PATH", "TMPDIR", "HOME"}) {
    if (const char* v = std::getenv(keep); v && !env.count(keep)) env[keep] = v;
  }
  // Everything is built before fork(): only async-signal-safe calls between
  // fork and exec (another thread may hold the allocator's lock).
  std::vector<std::string> kv;
  for (const auto& [k, v] : env) kv.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : kv) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string exe = REVIEWER_BINARY, sub = "serve";
  std::vector<char*> argv = {exe.data(), sub.data(), nullptr};
  int log_fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_.string());
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(log_fd);
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (!wait_until([&] { return !running() || http_get(port_, "/healthz").status == 200; }, ready) || !running()) {
    throw std::runtime_error(fmt::format("reviewer serve on port {} did not come up; its log ends:\n{}", port_,
                                         file_tail(log_)));
  }
}

ServeProcess::~ServeProcess() { stop(SIGKILL); }

bool ServeProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) != pid_) return true;
  exited_ = exit_code(status);
  pid_ = 0;
  return false;
}

int ServeProcess::stop(int signal) {
  if (running()) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exited_ = exit_code(status);
    pid_ = 0;
  }
  return exited_;
}

}  // namespace reviewer::test
