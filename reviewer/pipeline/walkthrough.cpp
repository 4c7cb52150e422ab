#include "reviewer/pipeline/walkthrough.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "reviewer/core/text.h"

namespace reviewer {

namespace {

constexpr size_t kMaxFilesPerArea = 15;
constexpr size_t kMaxFilesTotal = 100;

std::string_view verb(const FileDiff& fd) {
  switch (fd.kind) {
    case ChangeKind::added: return "added";
    case ChangeKind::deleted: return "deleted";
    case ChangeKind::renamed: return "renamed";
    case ChangeKind::copied: return "copied";
    case ChangeKind::type_changed: return "changed type of";
    case ChangeKind::modified: return "modified";
  }
  return "modified";
}

std::string file_line(const FileDiff& fd) {
  std::string what = fd.kind == ChangeKind::renamed || fd.kind == ChangeKind::copied
                         ? fmt::format("{} {} → {}", verb(fd), code_span(fd.old_path),
                                       code_span(fd.new_path))
                         : fmt::format("{} {}", verb(fd), code_span(fd.path()));
  std::string notes;
  if (fd.binary) notes += ", binary";
  if (fd.generated) notes += ", generated";
  if (fd.vendored) notes += ", vendored";
  if (fd.submodule) notes += ", submodule";
  if (fd.truncated) notes += ", partially loaded";
  return fmt::format("{} (+{} −{}{})", what, fd.additions, fd.deletions, notes);
}

struct AreaSummary {
  std::vector<const FileDiff*> files;
  int added = 0, deleted = 0;  // excluded files not counted
  std::map<std::string, int> classes;
};

}  // namespace

std::string render_walkthrough(const Diff& diff, const ChangeOutline& outline) {
  std::map<std::string, AreaSummary> areas;
  int added = 0, deleted = 0, counted = 0, excluded = 0;
  for (std::size_t i = 0; i < diff.files.size(); ++i) {
    const FileDiff& fd = diff.files[i];
    const auto& of = outline.files.at(i);
    AreaSummary& a = areas[of.area];
    a.files.push_back(&fd);
    ++a.classes[of.file_class];
    if (fd.excluded()) {
      ++excluded;
      continue;
    }
    ++counted;
    a.added += fd.additions;
    a.deleted += fd.deletions;
    added += fd.additions;
    deleted += fd.deletions;
  }
  std::string out = "#### What changed\n\n";
  if (diff.files.empty()) return out + "No files changed.\n";
  out += fmt::format("{} file{} in {} area{}, +{} −{} lines", counted, counted == 1 ? "" : "s", areas.size(),
                     areas.size() == 1 ? "" : "s", added, deleted);
  if (excluded > 0) out += fmt::format(" ({} generated, vendored or lock file{} not counted)", excluded,
                                       excluded == 1 ? "" : "s");
  if (!outline.declared_kind.empty()) {
    // The source quotes title words and labels: attacker text, so a code span.
    out += fmt::format(". Declared kind: **{}** (from {})", outline.declared_kind, code_span(outline.declared_from));
  }
  out += ".\n\n";
  size_t shown = 0;
  for (auto& [name, a] : areas) {
    std::sort(a.files.begin(), a.files.end(),
              [](const FileDiff* x, const FileDiff* y) { return x->path() < y->path(); });
    std::vector<std::string> classes;
    for (const auto& [cls, n] : a.classes) classes.push_back(fmt::format("{} {}", n, cls));
    out += fmt::format("- **{}**: {} file{}, +{} −{} ({})\n", code_span(name), a.files.size(),
                       a.files.size() == 1 ? "" : "s", a.added, a.deleted, fmt::join(classes, ", "));
    size_t listed = 0;
    for (const FileDiff* fd : a.files) {
      if (listed == kMaxFilesPerArea || shown == kMaxFilesTotal) break;
      out += "  - " + file_line(*fd) + "\n";
      ++listed;
      ++shown;
    }
    if (listed < a.files.size()) out += fmt::format("  - … and {} more\n", a.files.size() - listed);
  }
  for (const auto& note : diff.notes) out += fmt::format("\n_Note: {}_\n", redact(note, 200));
  return out;
}

}  // namespace reviewer
