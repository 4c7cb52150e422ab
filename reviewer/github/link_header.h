// RFC 8288 Link headers as GitHub sends them for pagination:
//   <https://api.github.com/repositories/1/pulls?page=2>; rel="next", <...>; rel="last"
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace reviewer::github {

// The target of the link whose rel is `rel`, or nullopt.
std::optional<std::string> link_target(std::string_view header, std::string_view rel = "next");

}  // namespace reviewer::github
