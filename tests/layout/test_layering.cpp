// The README's Layout table is the dependency order: each folder may include
// only folders above it. This reads the order from the README itself, so the
// table and the code cannot drift apart, and checks every #include of the
// product's sources against it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = REVIEWER_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The component folders of the README's Layout table, top (lowest) first.
std::vector<std::string> layout_order() {
  std::istringstream in(slurp(kRoot / "README.md"));
  std::vector<std::string> order;
  bool in_layout = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_layout = line == "## Layout";
    if (!in_layout || line.rfind("| `", 0) != 0) continue;
    auto end = line.find('`', 3);
    std::string folder = line.substr(3, end - 3);
    if (!folder.empty() && folder.back() == '/') folder.pop_back();
    if (folder != "tests" && folder != "bench") order.push_back(folder);
  }
  return order;
}

// Index of the component that owns `path` (relative to the root), or -1.
int owner(const std::vector<std::string>& order, const std::string& path) {
  for (size_t i = 0; i < order.size(); ++i) {
    if (path == order[i] || path.rfind(order[i] + "/", 0) == 0) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

TEST_CASE("layout: every component includes only components above it in the README's table") {
  const auto order = layout_order();
  REQUIRE(order.size() >= 10);
  CHECK(order.front() == "reviewer/core");
  CHECK(order.back() == "reviewer/cli");

  int files = 0;
  std::vector<std::string> violations;
  for (const auto& folder : order) {
    for (const auto& e : fs::recursive_directory_iterator(kRoot / folder)) {
      const auto ext = e.path().extension();
      if (ext != ".h" && ext != ".cpp") continue;
      const std::string rel = fs::relative(e.path(), kRoot).generic_string();
      const int me = owner(order, rel);
      ++files;
      std::istringstream in(slurp(e.path()));
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("#include \"", 0) != 0) continue;
        const std::string inc = line.substr(10, line.find('"', 10) - 10);
        const int them = owner(order, inc);
        if (them > me) violations.push_back(rel + " includes " + inc);
      }
    }
  }
  CHECK(files > 300);
  for (const auto& v : violations) FAIL_CHECK(v);
}

TEST_CASE("layout: the check sees a violation (the table's order applied to a known include)") {
  const auto order = layout_order();
  // reviewer/app uses reviewer/github; the reverse would be a violation.
  CHECK(owner(order, "reviewer/github/publisher.h") < owner(order, "reviewer/app/handler.h"));
  CHECK(owner(order, "reviewer/server/server.h") > owner(order, "reviewer/app/handler.h"));
  CHECK(owner(order, "subagents/history/history_agent.h") > owner(order, "reviewer/git/mirror.h"));
  CHECK(owner(order, "tests/support/testutil.h") == -1);
}
