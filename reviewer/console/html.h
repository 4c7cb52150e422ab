// HTML for the auditor console: the one escaping function every shown text
// goes through, JSON for <script type="application/json"> blocks, links,
// and the page frame. Everything the log holds is untrusted (PR titles,
// bodies, rule names, URLs from check results are written by whoever
// opened the pull request or ran the check).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace reviewer::console {

// `text` with & < > " ' as character references, invalid UTF-8 replaced
// by U+FFFD and control characters (but tab and newline) dropped: safe in
// element content and in quoted attribute values.
std::string escape(std::string_view text);

// Whether `s` is valid UTF-8.
bool valid_utf8(std::string_view s);

// `j` serialized for a <script type="application/json"> block: < > & and
// U+2028/U+2029 written as \u escapes, so no text inside can end the block.
std::string script_json(const nlohmann::json& j);

// `s` percent-encoded for a query string value (RFC 3986 unreserved kept).
std::string url_encode(std::string_view s);

// A query string "?a=1&b=x" from name/value pairs, values encoded; pairs
// with an empty value are left out. "" when none is left.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

// <a href="URL">TEXT</a> when `url` is an absolute http(s) URL, else the
// text (URL included) escaped as plain text: no javascript:, data: or
// relative links from stored values.
std::string external_link(std::string_view url, std::string_view text);

// One page of the console: the frame (navigation, the signed-in user) around
// `main`, which must be HTML built with escape(). `charts` loads Chart.js
// and the console's script.
struct PageFrame {
  std::string title;  // plain text
  std::string user;   // plain text; "" on the login page
  bool charts = false;
};
std::string page(const PageFrame& frame, std::string_view main);

}  // namespace reviewer::console
