#include "reviewer/server/dead_letters.h"

#include <ctime>

#include <fmt/format.h>

#include "audit/store.h"

namespace reviewer::server {

std::string iso8601_from_ms(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

Server::DeadLetterSink audit_dead_letter_sink(std::shared_ptr<audit::AuditStore> store) {
  return [store = std::move(store)](const DeadLetter& d) {
    audit::DeadLetterRecord r;
    r.delivery_id = d.delivery_id;
    r.job_id = d.id;
    r.event = d.event;
    r.kind = d.kind;
    r.repository = d.repository;
    r.pr_number = d.pr_number;
    r.head_sha = d.head_sha;
    r.attempts = d.attempts;
    r.reason = d.reason;
    r.parked_at = d.parked_ms > 0 ? iso8601_from_ms(d.parked_ms) : std::string();
    store->record_dead_letter(r);
  };
}

}  // namespace reviewer::server
