// The schema migrations (audit/schema/NNN_name.sql) and the auditor views
// (audit/views.sql), compiled into the binary so an installed reviewer needs
// no data files to create or upgrade a database.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace reviewer::audit {

// (file name, SQL) in file-name order, i.e. migration order.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_migrations();

// The CREATE VIEW statements of audit/views.sql.
std::string_view embedded_views();

}  // namespace reviewer::audit
