#include "subagents/size/size_agent.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "subagents/size/generated_sources.h"

namespace reviewer {

namespace {

struct AreaCount {
  int files = 0;
  int lines = 0;
  long bytes = 0;
};

// Generated, vendored and lock files are reported but not counted.
bool counted(const FileDiff& f, const Guidance& g) {
  return !f.excluded() && !g.excluded_matcher.matches(f.path());
}

// Groups counted files by area, largest first, for the suggested split.
std::vector<std::pair<std::string, AreaCount>> areas(const Diff& diff, const Guidance& g) {
  std::map<std::string, AreaCount> by_area;
  for (const auto& f : diff.files) {
    if (!counted(f, g)) continue;
    auto& a = by_area[area_of(f.path())];
    a.files += 1;
    a.lines += f.additions + f.deletions;
    a.bytes += changed_bytes(f);
  }
  std::vector<std::pair<std::string, AreaCount>> out(by_area.begin(), by_area.end());
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second.lines > b.second.lines; });
  return out;
}

// Packs areas into PRs that each stay within the limits (first fit, largest
// area first). An area bigger than the line or byte limit on its own is a
// PR of its own, flagged as still too large.
std::string suggest_split(const Diff& diff, const Guidance& guidance) {
  const AutoApproveLimits& lim = guidance.auto_approve;
  struct Group {
    std::vector<std::string> names;
    AreaCount total;
  };
  std::vector<Group> groups;
  for (const auto& [name, count] : areas(diff, guidance)) {
    Group* fit = nullptr;
    for (auto& g : groups) {
      if (g.total.lines + count.lines <= lim.max_lines && g.total.bytes + count.bytes <= lim.max_bytes &&
          g.total.files + count.files <= lim.max_files &&
          static_cast<int>(g.names.size()) < lim.max_areas) {
        fit = &g;
        break;
      }
    }
    if (!fit) fit = &groups.emplace_back();
    fit->names.push_back(name + "/");
    fit->total.files += count.files;
    fit->total.lines += count.lines;
    fit->total.bytes += count.bytes;
  }
  std::string out;
  int i = 1;
  for (const auto& g : groups) {
    const std::string bytes = g.total.bytes > lim.max_bytes ? fmt::format(", {} bytes", g.total.bytes) : "";
    out += fmt::format("PR {}: {} ({} files, {} lines{}){}\n", i++, fmt::join(g.names, ", "),
                       g.total.files, g.total.lines, bytes,
                       g.total.lines > lim.max_lines || g.total.bytes > lim.max_bytes || g.total.files > lim.max_files
                           ? " - still above the limit: split this area by subfolder or by commit"
                           : "");
  }
  return out;
}

class SizeAgent final : public Agent {
 public:
  std::string_view name() const override { return "size"; }

  // The limits are `thresholds.auto_approve`; the `size` section holds the
  // generated-file pairs and their rule (generated_sources.h).
  void check_guidance(const Guidance& guidance) const override { size::load_size_config(guidance); }

  std::vector<Finding> review(const AgentContext& ctx) const override {
    const size::SizeConfig config = size::load_size_config(ctx.guidance);
    std::vector<Finding> out = size::generated_without_source(ctx.diff, config);
    SizeStats s = measure_size(ctx.diff, ctx.guidance);
    if (!s.above_auto_approve_limit) return out;
    const auto& lim = ctx.guidance.auto_approve;
    std::vector<std::string> over;
    int lines = s.lines_added + s.lines_deleted;
    if (lines > lim.max_lines) over.push_back(fmt::format("{} changed lines > {}", lines, lim.max_lines));
    if (s.files > lim.max_files) over.push_back(fmt::format("{} files > {}", s.files, lim.max_files));
    if (s.areas > lim.max_areas) over.push_back(fmt::format("{} areas > {}", s.areas, lim.max_areas));
    if (s.bytes_changed > lim.max_bytes) {
      over.push_back(fmt::format("{} changed bytes > {}", s.bytes_changed, lim.max_bytes));
    }
    Finding f;
    f.rule = "size/split";
    f.severity = Severity::warning;
    f.message = fmt::format("This change is too large to review safely ({}, size {}): please split it.",
                            fmt::join(over, ", "), s.label);
    f.evidence = fmt::format("{}", fmt::join(over, "; "));
    f.suggestion = "Suggested split:\n" + suggest_split(ctx.diff, ctx.guidance);
    out.push_back(std::move(f));
    return out;
  }
};

}  // namespace

std::unique_ptr<Agent> make_size_agent() { return std::make_unique<SizeAgent>(); }

}  // namespace reviewer
