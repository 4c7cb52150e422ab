// Text from findings (which may quote the PR's title, body or code) goes
// into comments GitHub renders: escape Markdown and HTML so it cannot forge
// structure or a hidden marker, and defuse @mentions so it cannot ping
// people through the bot. Newlines become spaces.
#pragma once

#include <string>
#include <string_view>

namespace reviewer::github {

std::string markdown_escape(std::string_view s);

}  // namespace reviewer::github
