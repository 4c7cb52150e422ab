// `reviewer serve` as a child process of the tests: the shipped binary
// (REVIEWER_BINARY) with an environment of the test's choosing, its output
// in a log file, so a test can SIGKILL it, start it again on the same port
// and watch it as an operator would (HTTP only).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>

namespace reviewer::test {

class ServeProcess {
 public:
  // Starts `binary serve` with exactly `env` (plus PATH, HOME and TMPDIR)
  // and REVIEWER_LISTEN=127.0.0.1:<port>; stdout and stderr append to
  // `log`. Waits up to `ready` for GET /healthz to answer 200; throws
  // std::runtime_error (quoting the log's tail) when it does not.
  ServeProcess(std::map<std::string, std::string> env, int port, std::filesystem::path log,
               std::chrono::milliseconds ready = std::chrono::seconds(30));
  ~ServeProcess();  // SIGKILL and reap, if still running
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  // Sends `signal` and waits for the exit: the exit code, or 128 + signal.
  int stop(int signal);
  // True while the process has not exited (reaps it when it has).
  bool running();

 private:
  pid_t pid_ = 0;  // 0 once reaped: never signalled again (the id may be reused)
  int port_ = 0;
  int exited_ = -1;
  std::filesystem::path log_;
};

// The last `bytes` of a file (for failure messages).
std::string file_tail(const std::filesystem::path& p, std::size_t bytes = 3000);

}  // namespace reviewer::test
