#include "subagents/intent/file_class.h"

#include <algorithm>

#include "subagents/intent/text.h"

namespace reviewer::intent {

std::string_view classify_file(std::string_view path, const IntentConfig& config) {
  static constexpr std::string_view order[] = {"lockfiles", "changelog", "manifests", "ci", "build",
                                               "tests", "migrations", "docs"};
  for (auto cls : order) {
    if (config.in_class(cls, path)) return cls;
  }
  return "source";
}

std::string area_of(std::string_view path, const IntentConfig& config) {
  std::string area;
  int depth = 0;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) break;  // the rest is the file name
    std::string_view dir = path.substr(start, slash - start);
    start = slash + 1;
    if (dir.empty()) continue;
    if (!area.empty()) area += '/';
    area.append(dir);
    ++depth;
    bool container = std::find(config.containers.begin(), config.containers.end(), lower(dir)) !=
                     config.containers.end();
    if (!container || depth >= config.area_max_depth) break;
  }
  return area.empty() ? "(root)" : area;
}

}  // namespace reviewer::intent
