// Read-only access for auditors: the file is opened with the read-only
// flag, `PRAGMA query_only` is on, and an authorizer refuses every write,
// schema change, ATTACH/DETACH, any PRAGMA that is not a plain schema
// lookup and any SQL function outside a listed set (readonly.cpp). Three
// independent locks, so a mistake in one is not a write. The FTS3
// tokenizer function is switched off as well.
#pragma once

#include <filesystem>

#include "audit/db.h"

namespace reviewer::audit {

// Throws reviewer::Error when the file is missing, unreadable or not SQLite.
Connection open_read_only(const std::filesystem::path& path);

}  // namespace reviewer::audit
