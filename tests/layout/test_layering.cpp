// The README's Layout table is the dependency order: each folder may include
// only folders above it. This reads the order from the README itself, so the
// table and the code cannot drift apart, and checks every #include of the
// product's sources against it. All components share one include root, so
// the second check stands in for per-target include directories: a header
// with compiled code may be included only by a component that links it.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
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

// Each component folder's library: its name and the reviewer_* libraries it
// links (PUBLIC and PRIVATE), read from reviewer_component(...) in the
// folder's CMakeLists.txt. Subfolders with their own CMakeLists.txt are
// components of their own (subagents/intent, reviewer/git/history, ...).
struct Component {
  std::string target;
  std::set<std::string> links;
};

std::map<std::string, Component> components() {
  std::map<std::string, Component> out;
  for (const auto& e : fs::recursive_directory_iterator(kRoot)) {
    if (e.path().filename() != "CMakeLists.txt") continue;
    const std::string text = slurp(e.path());
    const auto at = text.find("reviewer_component(");
    if (at == std::string::npos) continue;
    std::istringstream words(text.substr(at + 19, text.find(')', at) - at - 19));
    Component c;
    words >> c.target;
    for (std::string w; words >> w;) {
      if (w.rfind("reviewer_", 0) == 0 && w != "reviewer_settings") c.links.insert(w);
    }
    out[fs::relative(e.path().parent_path(), kRoot).generic_string()] = c;
  }
  return out;
}

// The folder of the component that owns `path`: the longest folder prefix.
std::string component_of(const std::map<std::string, Component>& all, const std::string& path) {
  std::string best;
  for (const auto& [dir, c] : all) {
    if (path.rfind(dir + "/", 0) == 0 && dir.size() > best.size()) best = dir;
  }
  return best;
}

// Everything `target` links, directly or through what it links.
std::set<std::string> closure(const std::map<std::string, Component>& all, const std::string& target) {
  std::map<std::string, const Component*> by_target;
  for (const auto& [dir, c] : all) by_target[c.target] = &c;
  std::set<std::string> seen;
  std::vector<std::string> todo{target};
  while (!todo.empty()) {
    const std::string t = todo.back();
    todo.pop_back();
    if (!seen.insert(t).second || !by_target.count(t)) continue;
    for (const auto& l : by_target[t]->links) todo.push_back(l);
  }
  return seen;
}

}  // namespace

TEST_CASE("layout: a component includes headers with compiled code only from the libraries it links") {
  const auto all = components();
  REQUIRE(all.size() >= 15);
  REQUIRE(all.count("reviewer/server"));
  std::vector<std::string> violations;
  for (const auto& [dir, c] : all) {
    const auto linked = closure(all, c.target);
    for (const auto& e : fs::directory_iterator(kRoot / dir)) {
      const auto ext = e.path().extension();
      if (ext != ".h" && ext != ".cpp") continue;
      std::istringstream in(slurp(e.path()));
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("#include \"", 0) != 0) continue;
        const std::string inc = line.substr(10, line.find('"', 10) - 10);
        const std::string owner = component_of(all, inc);
        if (owner.empty() || owner == dir) continue;
        // A header-only interface (subagents/agent.h) needs no library.
        fs::path source = kRoot / inc;
        source.replace_extension(".cpp");
        if (!fs::exists(source)) continue;
        if (!linked.count(all.at(owner).target)) {
          violations.push_back(fs::relative(e.path(), kRoot).generic_string() + " includes " + inc + " but " +
                               c.target + " does not link " + all.at(owner).target);
        }
      }
    }
  }
  for (const auto& v : violations) FAIL_CHECK(v);
}

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
