// Dead letters into the audit log: the sink `reviewer serve` gives the
// Server, so a job parked as a dead letter is visible to auditors through
// `reviewer audit query "SELECT * FROM dead_letters"`, not only in queue.db.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "reviewer/server/server.h"

namespace reviewer::audit { class AuditStore; }

namespace reviewer::server {

// Records each dead letter with AuditStore::record_dead_letter (a repeat of
// one already recorded is ignored). Throws what the store throws.
Server::DeadLetterSink audit_dead_letter_sink(std::shared_ptr<audit::AuditStore> store);

// Milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SSZ" (UTC).
std::string iso8601_from_ms(std::int64_t ms);

}  // namespace reviewer::server
