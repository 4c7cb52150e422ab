#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "reviewer/core/review_result.h"

using namespace reviewer;

TEST_SUITE("core::run ids") {
  TEST_CASE("run ids are 32 hex digits and do not repeat") {
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
      std::string id = new_run_id();
      REQUIRE(id.size() == 32);
      CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
      seen.insert(std::move(id));
    }
    CHECK(seen.size() == 1000);
  }

  TEST_CASE("a forked process draws different run ids (a seeded generator would repeat its parent's)") {
    (void)new_run_id();  // the parent's generator is in use before the fork
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      const std::string id = new_run_id();
      ssize_t n = write(fds[1], id.data(), id.size());
      _exit(n == static_cast<ssize_t>(id.size()) ? 0 : 1);
    }
    close(fds[1]);
    const std::string mine = new_run_id();
    char buf[64] = {};
    ssize_t n = read(fds[0], buf, sizeof buf);
    close(fds[0]);
    int status = 0;
    waitpid(child, &status, 0);
    REQUIRE(n == 32);
    CHECK(std::string(buf, 32) != mine);
  }
}
