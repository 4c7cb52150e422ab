#include <doctest/doctest.h>

#include "cli_fixture.h"

using namespace reviewer;

TEST_SUITE("cli serve") {
  TEST_CASE("serve refuses to start on invalid guidance, naming file, line and column") {
    auto dir = test::scratch_dir("serve-bad-guidance");
    test::write_text(dir / "guidance" / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: lots\n");
    std::string out;
    // `timeout`: were the check missing, the server would run until killed.
    int rc = test::run_command("REVIEWER_WEBHOOK_SECRET=s3cret-for-tests REVIEWER_LISTEN=127.0.0.1:18099 "
                               "REVIEWER_DATA_DIR=" + (dir / "data").string() +
                                   " REVIEWER_GUIDANCE_DIR=" + (dir / "guidance").string() + " timeout 20 " +
                                   REVIEWER_BINARY + " serve",
                               &out, /*merge_stderr=*/true);
    CHECK(rc == 1);
    CHECK(out.find("team.yml:3:16: 'max_lines' must be an integer, got 'lots'") != std::string::npos);
  }
}
