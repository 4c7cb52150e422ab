#include <doctest/doctest.h>

#include <chrono>

#include "audit/readonly.h"
#include "audit/revert.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::detect_revert;

TEST_SUITE("audit::detect_revert") {
  TEST_CASE("GitHub's revert button title and body are recognised") {
    auto r = detect_revert("Revert \"Add the widget cache\"", "Reverts octo/widgets#123\n\nBecause it broke prod.");
    CHECK(r.any());
    CHECK(r.reverted_title == "Add the widget cache");
    REQUIRE(r.prs.size() == 1);
    CHECK(r.prs[0].repository == "octo/widgets");
    CHECK(r.prs[0].number == 123);
    CHECK(r.summary() == "title \"Add the widget cache\"; octo/widgets#123");
  }

  TEST_CASE("git revert's commit message is recognised, sha lowercased") {
    auto r = detect_revert("Revert \"Fix\"", "This reverts commit 0123456789ABCDEF0123456789abcdef01234567.\n");
    REQUIRE(r.shas.size() == 1);
    CHECK(r.shas[0] == "0123456789abcdef0123456789abcdef01234567");
  }

  TEST_CASE("a revert of a revert keeps the inner title whole") {
    auto r = detect_revert("Revert \"Revert \"Add cache\"\"", "");
    CHECK(r.reverted_title == "Revert \"Add cache\"");
  }

  TEST_CASE("a bare #number and several commits are all collected once") {
    auto r = detect_revert("Back out two changes",
                           "Reverts #7\nThis reverts commit abcdef1.\nThis reverts commit abcdef1.\n"
                           "This reverts commit 1234567.");
    REQUIRE(r.prs.size() == 1);
    CHECK(r.prs[0].repository.empty());
    CHECK(r.prs[0].number == 7);
    CHECK(r.shas == std::vector<std::string>{"abcdef1", "1234567"});
  }

  TEST_CASE("ordinary titles and bodies are not reverts") {
    for (auto [title, body] : std::vector<std::pair<std::string, std::string>>{
             {"Add revert button", "This adds a way to revert commits."},
             {"Revert", ""},
             {"Reverted behaviour of #12", "see commit abcdef1"},
             {"Revert \"\"", ""},
             {"This reverts commit xyz", "Reverts octo/widgets#"}}) {
      CAPTURE(title);
      CHECK_FALSE(detect_revert(title, body).any());
    }
  }

  TEST_CASE("a huge hostile body is scanned quickly and capped") {
    std::string body;
    for (int i = 0; i < 200000; ++i) body += "This reverts commit abcdef" + std::to_string(1000000 + i) + " ";
    auto start = std::chrono::steady_clock::now();
    auto r = detect_revert(std::string(1 << 20, '"'), body);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    CHECK(r.shas.size() == 50);
    CHECK(ms < 2000);
  }
}

TEST_SUITE("audit::AuditStore::link_reverts") {
  TEST_CASE("a merged revert is linked to the original PRs by number, sha and title, once") {
    test::on_each_backend("link", [](const std::string& at) {
      auto store = audit::AuditStore::open_location(at);
      const std::string repo = "octo/widgets";
      store->record_pull_request({repo, 10, "Add the widget cache", "alice", "main", "h10", false, ""});
      store->record_pr_event({repo, 10, "merged", "alice", "h10", "aaaaaaa1111", 0, "", "2026-01-01T10:00:00Z"});
      store->record_pr_event({repo, 11, "merged", "bob", "h11", "bbbbbbb2222", 0, "", "2026-01-01T11:00:00Z"});
      store->record_pr_event({repo, 12, "merged", "carol", "h12", "ccccccc3333", 0, "", "2026-01-01T12:00:00Z"});
      store->record_pr_event({repo, 13, "opened", "dave", "h13", "", 0, "", "2026-01-01T12:00:00Z"});
      auto linked = store->link_reverts(repo, 20, "Revert \"Add the widget cache\"",
                                        "Reverts octo/widgets#12\nThis reverts commit bbbbbbb2.\nReverts #13\n"
                                        "Reverts other/repo#11",
                                        "2026-01-02T09:00:00Z");
      CHECK(linked == std::vector<std::int64_t>{10, 11, 12});  // 13 never merged
      // A redelivered webhook does not link twice.
      CHECK(store->link_reverts(repo, 20, "Revert \"Add the widget cache\"", "Reverts octo/widgets#12",
                                "2026-01-02T09:00:00Z")
                .empty());
      CHECK(test::log_scalar(at, "SELECT count(*) FROM pr_events WHERE kind = 'reverted' AND related_pr = 20") == "3");
      CHECK(test::log_scalar(at, "SELECT count(*) FROM pr_events WHERE kind = 'reverted' AND pr_number = 12 "
                                 "AND at = '2026-01-02T09:00:00Z'") == "1");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("a PR does not revert itself and non-reverts record nothing") {
    test::on_each_backend("self", [](const std::string& at) {
      auto store = audit::AuditStore::open_location(at);
      store->record_pr_event({"o/r", 5, "merged", "a", "h5", "5555555", 0, "", ""});
      CHECK(store->link_reverts("o/r", 5, "Revert \"x\"", "Reverts #5", "").empty());
      CHECK(store->link_reverts("o/r", 6, "Improve things", "no reference", "").empty());
      CHECK(store->row_count() == 1);
    });
  }
}
