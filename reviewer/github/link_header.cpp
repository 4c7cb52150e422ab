#include "reviewer/github/link_header.h"

namespace reviewer::github {

std::optional<std::string> link_target(std::string_view header, std::string_view rel) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t open = header.find('<', pos);
    if (open == std::string_view::npos) break;
    size_t close = header.find('>', open);
    if (close == std::string_view::npos) break;
    std::string_view target = header.substr(open + 1, close - open - 1);
    size_t next = header.find('<', close);
    std::string_view params = header.substr(close + 1, next == std::string_view::npos ? header.npos : next - close - 1);
    // rel may be quoted or bare, and may list several values: rel="next last".
    size_t r = params.find("rel=");
    if (r != std::string_view::npos) {
      std::string_view v = params.substr(r + 4);
      if (!v.empty() && v.front() == '"') {
        v.remove_prefix(1);
        v = v.substr(0, v.find('"'));
      } else {
        v = v.substr(0, v.find_first_of(";, "));
      }
      size_t start = 0;
      while (start <= v.size()) {
        size_t end = v.find(' ', start);
        if (v.substr(start, end == v.npos ? v.npos : end - start) == rel) return std::string(target);
        if (end == v.npos) break;
        start = end + 1;
      }
    }
    pos = close + 1;
  }
  return std::nullopt;
}

}  // namespace reviewer::github
