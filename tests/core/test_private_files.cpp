#include <doctest/doctest.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "support/file_mode.h"
#include "support/testutil.h"

using namespace reviewer;

TEST_SUITE("core::private files") {
  TEST_CASE("folders created are 0700 and files 0600, even under umask 0") {
    test::ScopedUmask open_umask(0);
    auto dir = test::scratch_dir("private");
    create_private_directories(dir / "data" / "mirrors" / "octo");
    CHECK(test::mode_of(dir / "data") == 0700);
    CHECK(test::mode_of(dir / "data" / "mirrors") == 0700);
    CHECK(test::mode_of(dir / "data" / "mirrors" / "octo") == 0700);
    create_private_file(dir / "data" / "queue.db");
    CHECK(test::mode_of(dir / "data" / "queue.db") == 0600);
  }

  TEST_CASE("existing folders and files are left as they are") {
    auto dir = test::scratch_dir("private-existing");
    std::filesystem::create_directories(dir / "shared");
    std::filesystem::permissions(dir / "shared", std::filesystem::perms(0750));
    test::write_text(dir / "shared" / "keep.txt", "keep");
    std::filesystem::permissions(dir / "shared" / "keep.txt", std::filesystem::perms(0640));
    create_private_directories(dir / "shared");
    create_private_file(dir / "shared" / "keep.txt");
    CHECK(test::mode_of(dir / "shared") == 0750);
    CHECK(test::mode_of(dir / "shared" / "keep.txt") == 0640);
    CHECK(test::read_text(dir / "shared" / "keep.txt") == "keep");
  }

  TEST_CASE("a folder that cannot be created is an error naming it") {
    auto dir = test::scratch_dir("private-fail");
    test::write_text(dir / "file", "x");
    CHECK_THROWS_WITH_AS(create_private_directories(dir / "file" / "sub"), doctest::Contains("cannot create folder"),
                         Error);
  }
}
