#include "subagents/logic/file_view.h"

#include <fmt/format.h>

namespace reviewer::logic {

std::string_view indent_of(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(0, i);
}

std::vector<FileView> file_views(const Diff& diff, const Config& cfg, long max_lines) {
  std::vector<FileView> out;
  long lines = 0;
  auto spent = [&] { return max_lines >= 0 && lines >= max_lines; };
  for (const FileDiff& f : diff.files) {
    if (spent()) break;
    // Generated and vendored files are read too: exclusion is for the size
    // count only, never a place a change goes unreviewed.
    if (f.binary || f.submodule || f.symlink) continue;
    FileView fv;
    fv.diff = &f;
    fv.path = f.path();
    fv.lang = index::language_of(fv.path);
    fv.is_test = cfg.tests.test_paths.matches(fv.path);
    for (const Hunk& h : f.hunks) {
      if (spent()) break;
      // The lines the diff kept, not the file's counts (a truncated file
      // holds fewer), and with a budget only until it is spent, inside a
      // hunk too: a line's view costs ~150 bytes, and one file may hold a
      // million lines.
      std::size_t end = 0;
      for (; end < h.lines.size() && !spent(); ++end) lines += h.lines[end].origin != LineOrigin::context;
      HunkView hv;
      hv.hunk = &h;
      hv.cut = end < h.lines.size();
      std::vector<std::string_view> new_text, old_text;
      for (std::size_t i = 0; i < end; ++i) {
        const DiffLine& l = h.lines[i];
        if (l.origin != LineOrigin::deleted) new_text.push_back(l.content);
        if (l.origin != LineOrigin::added) old_text.push_back(l.content);
        fv.changed_viewed += l.origin != LineOrigin::context;
      }
      auto nv = line_views(fv.lang, new_text);
      auto ov = line_views(fv.lang, old_text);
      hv.new_side.reserve(nv.size());
      hv.old_side.reserve(ov.size());
      size_t ni = 0, oi = 0;
      for (std::size_t i = 0; i < end; ++i) {
        const DiffLine& l = h.lines[i];
        if (l.origin != LineOrigin::deleted) hv.new_side.push_back(SideLine{&l, std::move(nv[ni++])});
        if (l.origin != LineOrigin::added) hv.old_side.push_back(SideLine{&l, std::move(ov[oi++])});
      }
      fv.hunks.push_back(std::move(hv));
    }
    out.push_back(std::move(fv));
  }
  return out;
}

Finding make_finding(const Rule& rule, const std::string& path, int line, std::string evidence,
                     const std::string& detail) {
  Finding f;
  f.rule = rule.id;
  f.severity = rule.severity;
  f.path = path;
  f.line = line;
  f.end_line = line;
  f.message = detail.empty() ? rule.why : fmt::format("{} {}", rule.why, detail);
  std::string_view ev = trim(evidence);
  if (ev.size() > 200) {
    ev = ev.substr(0, 200);
    while (!ev.empty() && (static_cast<unsigned char>(ev.back()) & 0xC0) == 0x80) ev.remove_suffix(1);
    if (!ev.empty() && static_cast<unsigned char>(ev.back()) >= 0xC0) ev.remove_suffix(1);
  }
  f.evidence = std::string(ev);
  f.suggestion = rule.fix;
  return f;
}

}  // namespace reviewer::logic
