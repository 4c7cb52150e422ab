#include <doctest/doctest.h>

#include "reviewer/core/error.h"
#include "reviewer/core/revert_text.h"
#include "reviewer/core/text.h"

using namespace reviewer;

TEST_SUITE("core::text") {
  TEST_CASE("lower folds ASCII letters only; trim drops ASCII whitespace at both ends") {
    CHECK(lower("Owner/Repo-1 \xC3\x84") == "owner/repo-1 \xC3\x84");
    CHECK(trim(" \t x y \r\n") == "x y");
    CHECK(trim("   ").empty());
  }
}

TEST_SUITE("core::revert text") {
  TEST_CASE("GitHub's revert title gives the original title, nested reverts kept whole") {
    CHECK(reverted_title("Revert \"Add a cache\"") == "Add a cache");
    CHECK(reverted_title("  Revert  \"Revert \"x\"\"  ") == "Revert \"x\"");
    CHECK_FALSE(reverted_title("Revert \"\""));
    CHECK_FALSE(reverted_title("Revert \"a\nb\""));
    CHECK_FALSE(reverted_title("revert \"x\""));
    CHECK_FALSE(reverted_title("Reverting \"x\""));
    CHECK(starts_as_revert_title(" Revert \"unfinished"));
    CHECK_FALSE(starts_as_revert_title("Revert the cache"));
  }

  TEST_CASE("git revert's line gives the sha, lowercased, as a whole word of 7 to 40 hex digits") {
    CHECK(reverted_shas("This reverts commit ABCDEF1.\nthis reverts commit abcdef1", 10) ==
          std::vector<std::string>{"abcdef1"});
    CHECK(reverted_shas("x This Reverts Commit 0123456789abcdef0123456789abcdef01234567", 10) ==
          std::vector<std::string>{"0123456789abcdef0123456789abcdef01234567"});
    CHECK(reverted_shas("This reverts commit abc12", 10).empty());          // too short
    CHECK(reverted_shas("This reverts commit abcdef12g", 10).empty());      // not hex
    CHECK(reverted_shas("Xthis reverts commit abcdef12", 10).empty());      // not a word
    CHECK(reverted_shas(std::string(41, 'a').insert(0, "this reverts commit "), 10).empty());
    CHECK(reverted_shas("this reverts commit 1111111 this reverts commit 2222222", 1).size() == 1);
  }
}

TEST_SUITE("core::Error") {
  TEST_CASE("an error is transient or permanent from where it arose; a timeout is transient by default") {
    CHECK(Error(Error::Code::timeout, "late").transient());
    CHECK_FALSE(Error(Error::Code::io, "disk full").transient());
    CHECK_FALSE(Error(Error::Code::invalid_input, "bad").transient());
    CHECK(Error(Error::Code::io, "fetch failed", Error::Retry::transient).transient());
    CHECK_FALSE(Error(Error::Code::timeout, "gave up for good", Error::Retry::permanent).transient());
  }
}
