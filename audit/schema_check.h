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
// checked, which is a difference too; so are views this build did not
// write (schema_meta.views_sha256 not its views' hash): another build of
// reviewer wrote them, or someone wanted them skipped.
std::string schema_difference(Connection& db);

// The statement's tokens: comments and white space dropped, keywords and
// identifiers lower-cased and unquoted, string literals kept as written.
// Two definitions are the same when their tokens are.
std::vector<std::string> sql_tokens(std::string_view sql);

// "it has `…` where the schema has `…`": the tokens around the first place
// where two definitions differ, for a message naming the difference.
std::string token_mismatch(const std::vector<std::string>& have, const std::vector<std::string>& want);

// Why views whose hash is not this build's cannot be checked.
std::string views_not_ours(std::string_view stored_revision, int revision);

// "<type> <name> is not part of the audit schema (why that matters)".
std::string not_in_schema(std::string_view type, std::string_view name);

}  // namespace reviewer::audit
