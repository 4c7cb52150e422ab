// simulate (issue 10): `reviewer simulate --range` over 1,000 commits.
//
// This machine is offline and holds no git history of 1,000 commits, so the
// history is built from real code: the Python standard library shipped with
// Debian (/usr/lib/python3.11), imported file by file and then edited, one
// change per commit, the way a project grows. Each commit is a real file's
// text; the edits are small (a few lines), like most pull requests.
//
//   simulate_bench DIR [COMMITS] [SOURCE_DIR] [THREADS]
// builds DIR/repo once (reused when present), then reviews every commit
// against its parent with run_simulation and prints the timings.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "reviewer/git/builder.h"
#include "reviewer/git/handles.h"
#include "reviewer/pipeline/simulate.h"

using namespace reviewer;
namespace fs = std::filesystem;

namespace {

std::vector<fs::path> python_files(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied)) {
    if (e.is_symlink() || !e.is_regular_file() || e.path().extension() != ".py") continue;
    if (e.file_size() < 60000) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Edits a few lines in the middle of `text`: a renamed local, a changed
// constant, an added comment line; deterministic in `seed`.
std::string edit(const std::string& text, int seed) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  if (lines.empty()) return text + "\n# touched\n";
  std::size_t at = static_cast<std::size_t>(seed * 7919) % lines.size();
  lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), fmt::format("# note {}: keep in sync with the caller", seed));
  std::size_t other = static_cast<std::size_t>(seed * 104729) % lines.size();
  lines[other] += "  # reviewed";
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

void build_history(const fs::path& repo, const fs::path& source, int commits) {
  auto files = python_files(source);
  if (files.empty()) throw std::runtime_error("no .py files under " + source.string());
  auto b = git::RepoBuilder::create(repo);
  std::map<std::string, std::string> current;
  std::string parent = b.commit("main", "", {{"README.md", {std::string("Imported code\n")}}}, "Start", 1700000000);
  std::size_t next_file = 0;
  for (int i = 1; i <= commits; ++i) {
    std::map<std::string, git::FileChange> change;
    std::string message;
    // Two thirds of the commits import a file, one third edit an imported one.
    if (i % 3 != 0 && next_file < files.size()) {
      const auto& f = files[next_file++];
      std::string rel = f.lexically_relative(source).string();
      current[rel] = read(f);
      change[rel] = {current[rel]};
      message = fmt::format("Add {}\n\nImports {} because the next change needs it.", rel, f.filename().string());
    } else {
      auto it = current.begin();
      std::advance(it, static_cast<long>((i * 31) % std::max<std::size_t>(1, current.size())));
      it->second = edit(it->second, i);
      change[it->first] = {it->second};
      message = fmt::format("Tidy {}\n\nKeeps the module in sync with its caller, since #{} changed it.", it->first, i);
    }
    parent = b.commit("main", parent, change, message, 1700000000 + i * 60);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: simulate_bench DIR [COMMITS] [SOURCE_DIR] [THREADS]\n";
    return 2;
  }
  git::Library lib;  // libgit2 initialised for the whole run
  const fs::path dir = argv[1];
  const int commits = argc > 2 ? std::stoi(argv[2]) : 1000;
  const fs::path source = argc > 3 ? fs::path(argv[3]) : fs::path("/usr/lib/python3.11");
  const int threads = argc > 4 ? std::stoi(argv[4]) : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const fs::path repo = dir / fmt::format("repo-{}", commits);
  if (!fs::exists(repo)) {
    auto t0 = std::chrono::steady_clock::now();
    build_history(repo, source, commits);
    std::cout << fmt::format("built {} commits in {:.1f} s\n", commits,
                             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  auto cases = simulation_cases_from_range(repo, fmt::format("main~{}..main", commits));
  const auto c0 = std::clock();
  const auto t0 = std::chrono::steady_clock::now();
  auto outcomes = run_simulation(cases, {}, threads);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  std::map<std::string, int> decisions;
  int errors = 0;
  for (const auto& o : outcomes) {
    if (o.result) {
      ++decisions[std::string(to_string(o.result->decision.kind))];
    } else {
      ++errors;
    }
  }
  std::cout << fmt::format("{} cases on {} threads: wall {:.1f} s, CPU {:.1f} s, {:.1f} ms wall per case; errors {}\n",
                           outcomes.size(), threads, wall, cpu, 1000 * wall / std::max<std::size_t>(1, outcomes.size()),
                           errors);
  for (const auto& [d, n] : decisions) std::cout << fmt::format("  {}: {}\n", d, n);
  return errors == 0 ? 0 : 1;
}
