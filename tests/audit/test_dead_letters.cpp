#include <doctest/doctest.h>

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
  TEST_CASE("a dead letter is chained, queryable read-only, and recorded once per delivery") {
    test::on_each_backend("dead-letters", [](const std::string& at) {
      auto store = AuditStore::open_location(at);
      store->record_review(test::sample_review("run-before", 2));
      CHECK(store->record_dead_letter(dead_letter("d-1")));
      CHECK_FALSE(store->record_dead_letter(dead_letter("d-1")));  // a repeated report adds nothing
      CHECK(store->record_dead_letter(dead_letter("d-2")));
      CHECK(store->row_count() == 1 + 2 + 2 + 2);

      const test::LogAuditor auditor(at);
      std::ostringstream out;
      audit::query_location(auditor.url(),
                            "SELECT delivery_id, repository, pr_number, attempts, reason, parked_at FROM dead_letters "
                            "ORDER BY seq",
                            audit::Format::csv, out);
      CHECK(out.str() ==
            "delivery_id,repository,pr_number,attempts,reason,parked_at\r\n"
            "d-1,octo/widgets,42,5,handler error: mirror unreachable,2026-11-26T17:00:00Z\r\n"
            "d-2,octo/widgets,42,5,handler error: mirror unreachable,2026-11-26T17:00:00Z\r\n");
      CHECK(audit::verify_location(at).ok);
    });
  }

  TEST_CASE("dead letters are append-only and an edit breaks the chain") {
    test::on_each_backend("dead-letters-tamper", [](const std::string& at) {
      {
        auto store = AuditStore::open_location(at);
        store->record_dead_letter(dead_letter("d-1"));
        store->record_dead_letter(dead_letter("d-2"));
      }
      CHECK_THROWS_AS(test::log_exec(at, "UPDATE dead_letters SET reason = 'fine' WHERE delivery_id = 'd-1'"), Error);
      CHECK_THROWS_AS(test::log_exec(at, "DELETE FROM dead_letters"), Error);
      test::tamper(at, "UPDATE dead_letters SET reason = 'fine' WHERE delivery_id = 'd-1'");
      auto r = audit::verify_location(at);
      CHECK_FALSE(r.ok);
      CHECK(r.message.find("dead_letters") != std::string::npos);
    });
  }
}
