#include <doctest/doctest.h>

#include "guidance/watcher.h"
#include "reviewer/core/error.h"
#include "support/testutil.h"

using namespace reviewer;

TEST_SUITE("guidance::watcher") {
  TEST_CASE("invalid guidance at start is refused with the file's line and column") {
    auto dir = test::scratch_dir("watch-bad-start");
    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: lots\n");
    CHECK_THROWS_WITH_AS(GuidanceWatcher({dir}), doctest::Contains("team.yml:3:16: 'max_lines' must be an integer"),
                         Error);
  }

  TEST_CASE("an edit is picked up; a broken edit keeps the last good version") {
    auto dir = test::scratch_dir("watch-edit");
    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: 100\n");
    GuidanceWatcher w({dir}, std::chrono::milliseconds(0));
    auto first = w.current();
    CHECK(first->guidance.auto_approve.max_lines == 100);
    CHECK(first->docs.size() == 1);

    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: 50\n");
    auto second = w.current();
    CHECK(second->guidance.auto_approve.max_lines == 50);
    CHECK(w.last_error().empty());

    // A typo in production guidance: reviews go on under version 2.
    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: fifty\n");
    auto kept = w.current();
    CHECK(kept == second);
    CHECK(w.last_error().find("still using version " + second->guidance.version.substr(0, 12)) != std::string::npos);
    CHECK(w.last_error().find("team.yml:3:16") != std::string::npos);

    // A new file is an edit too; fixing the typo recovers.
    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: 60\n");
    test::write_text(dir / "z-extra.yml", "protected_paths: [\"infra/**\"]\n");
    auto fixed = w.current();
    CHECK(fixed->guidance.auto_approve.max_lines == 60);
    CHECK(fixed->guidance.protected_matcher.matches("infra/main.tf"));
    CHECK(w.last_error().empty());
  }

  TEST_CASE("files are not re-read within the check interval") {
    auto dir = test::scratch_dir("watch-interval");
    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: 100\n");
    GuidanceWatcher w({dir}, std::chrono::hours(1));
    auto first = w.current();
    test::write_text(dir / "team.yml", "thresholds:\n  auto_approve:\n    max_lines: 7\n");
    CHECK(w.current() == first);
  }
}
