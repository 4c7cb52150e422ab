// The audit component's names for the storage layer's SQLite types: the
// audit log is written and read through storage/, never through SQLite's C
// API directly.
#pragma once

#include "storage/sqlite.h"

namespace reviewer::audit {

using storage::Connection;
using storage::Statement;
using storage::Transaction;
using storage::Value;

}  // namespace reviewer::audit
