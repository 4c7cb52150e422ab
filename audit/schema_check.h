// `audit verify`'s schema check: every table, index, trigger and view of a
// log file is compared with what this build's migrations create, statement
// by statement. The chain catches edited rows; this catches an edited
// schema: a trigger defused with `WHEN 0` (its text still says
// RAISE(ABORT...)), a table rebuilt without STRICT (values no longer
// stored with the type that was hashed), an extra trigger that drops rows
// as they are written, a view that hides rows from auditors.
#pragma once

#include <string>
#include <vector>

#include "audit/db.h"

namespace reviewer::audit {

// Empty when the schema of `db` is the canonical one for its version; else
// one sentence naming the first object that is missing, extra or different
// (with the differing part). A file newer than this build cannot be
// checked, which is a difference too. Views are compared when the file's
// views are this build's (schema_meta.views_sha256), since another version
// of reviewer may have written other views.
std::string schema_difference(Connection& db);

// The statement's tokens: comments and white space dropped, keywords and
// identifiers lower-cased and unquoted, string literals kept as written.
// Two definitions are the same when their tokens are.
std::vector<std::string> sql_tokens(std::string_view sql);

}  // namespace reviewer::audit
