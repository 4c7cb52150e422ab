#include <doctest/doctest.h>

#include <sqlite3.h>

#include <sstream>

#include "audit/query.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit_fixtures.h"
#include "reviewer/core/error.h"
#include "support/postgres.h"
#include "support/testutil.h"

using namespace reviewer;
using reviewer::audit::AuditStore;

namespace {

audit::DeadLetterRecord dead_letter(const std::string& delivery_id) {
  audit::DeadLetterRecord d;
  d.delivery_id = delivery_id;
  d.job_id = 7;
  d.event = "pull_request";
  d.kind = "review";
  d.repository = "octo/widgets";
  d.pr_number = 42;
  d.head_sha = std::string(40, 'c');
  d.attempts = 5;
  d.reason = "handler error: mirror unreachable";
  d.parked_at = "2026-11-26T17:00:00Z";
  return d;
}

}  // namespace

TEST_SUITE("audit dead letters") {
  TEST_CASE("a dead letter is recorded once per delivery on either backend") {
    test::on_each_backend("dead-letters-once", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      CHECK(store->record_dead_letter(dead_letter("d-1")));
      CHECK_FALSE(store->record_dead_letter(dead_letter("d-1")));
      CHECK(store->record_dead_letter(dead_letter("d-2")));
      CHECK(store->row_count() == 2);
      CHECK(test::log_scalar(at, "SELECT reason FROM dead_letters WHERE delivery_id = 'd-2'") ==
            "handler error: mirror unreachable");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("a dead letter is chained, queryable read-only, and recorded once per delivery") {
    auto path = test::scratch_dir("dead-letters") / "audit.db";
    auto store = AuditStore::open(path);
    store->record_review(test::sample_review("run-before", 2));
    CHECK(store->record_dead_letter(dead_letter("d-1")));
    CHECK_FALSE(store->record_dead_letter(dead_letter("d-1")));  // a repeated report adds nothing
    CHECK(store->record_dead_letter(dead_letter("d-2")));
    CHECK(store->row_count() == 1 + 2 + 2 + 2);

    std::ostringstream out;
    audit::query(path, "SELECT delivery_id, repository, pr_number, attempts, reason, parked_at FROM dead_letters ORDER BY seq",
                 audit::Format::csv, out);
    CHECK(out.str() ==
          "delivery_id,repository,pr_number,attempts,reason,parked_at\r\n"
          "d-1,octo/widgets,42,5,handler error: mirror unreachable,2026-11-26T17:00:00Z\r\n"
          "d-2,octo/widgets,42,5,handler error: mirror unreachable,2026-11-26T17:00:00Z\r\n");
    CHECK(audit::verify(path, {}).ok);
  }

  TEST_CASE("dead letters are append-only and an edit breaks the chain") {
    auto path = test::scratch_dir("dead-letters-tamper") / "audit.db";
    {
      auto store = AuditStore::open(path);
      store->record_dead_letter(dead_letter("d-1"));
      store->record_dead_letter(dead_letter("d-2"));
    }
    {
      auto db = test::raw_open(path);
      CHECK_THROWS_AS(db.exec("UPDATE dead_letters SET reason = 'fine' WHERE delivery_id = 'd-1'"), Error);
      CHECK_THROWS_AS(db.exec("DELETE FROM dead_letters"), Error);
    }
    test::tamper(path, "UPDATE dead_letters SET reason = 'fine' WHERE delivery_id = 'd-1'");
    auto r = audit::verify(path, {});
    CHECK_FALSE(r.ok);
    CHECK(r.message.find("dead_letters") != std::string::npos);
  }
}
