#include "subagents/logic/corpus.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "support/testutil.h"

namespace reviewer::test {

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

}  // namespace

Diff parse_unified_diff(const std::string& text) {
  Diff d;
  FileDiff* f = nullptr;
  Hunk* h = nullptr;
  int old_no = 0, new_no = 0;
  const std::vector<std::string> lines = split_lines(text);
  for (const std::string& l : lines) {
    if (l.rfind("--- ", 0) == 0) {
      d.files.emplace_back();
      f = &d.files.back();
      h = nullptr;
      std::string p = l.substr(4);
      if (p != "/dev/null") f->old_path = p.rfind("a/", 0) == 0 ? p.substr(2) : p;
      continue;
    }
    if (l.rfind("+++ ", 0) == 0 && f && !h) {
      std::string p = l.substr(4);
      if (p != "/dev/null") f->new_path = p.rfind("b/", 0) == 0 ? p.substr(2) : p;
      f->kind = f->old_path.empty() ? ChangeKind::added : f->new_path.empty() ? ChangeKind::deleted
                                                                               : ChangeKind::modified;
      continue;
    }
    if (l.rfind("@@", 0) == 0 && f) {
      f->hunks.emplace_back();
      h = &f->hunks.back();
      h->header = l;
      if (std::sscanf(l.c_str(), "@@ -%d,%d +%d,%d", &h->old_start, &h->old_lines, &h->new_start, &h->new_lines) < 3) {
        throw std::runtime_error("bad hunk header: " + l);
      }
      old_no = h->old_start;
      new_no = h->new_start;
      continue;
    }
    if (!h) continue;
    DiffLine dl;
    char c = l.empty() ? ' ' : l[0];
    dl.content = std::string_view(l).substr(l.empty() ? 0 : 1);  // owned below, while `l` lives
    if (c == '+') {
      dl.origin = LineOrigin::added;
      dl.new_line = new_no++;
      ++f->additions;
    } else if (c == '-') {
      dl.origin = LineOrigin::deleted;
      dl.old_line = old_no++;
      ++f->deletions;
    } else {
      dl.old_line = old_no++;
      dl.new_line = new_no++;
    }
    h->lines.push_back(std::move(dl));
  }
  own_text(d);
  return d;
}

std::vector<LogicCase> load_corpus(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".txt") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<LogicCase> out;
  for (const auto& path : files) {
    auto lines = split_lines(read_text(path));
    std::string diff_text;
    // Only this file's cases: at the first "===" of a file, the last case
    // is the previous file's, whose diff is already parsed (overwriting it
    // with this file's empty text left every file's last case empty).
    const size_t first = out.size();
    auto finish = [&]() {
      if (out.size() > first && !out.back().repo) out.back().diff = parse_unified_diff(diff_text);
      diff_text.clear();
    };
    for (size_t i = 0; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l.rfind("=== ", 0) == 0) {
        finish();
        out.emplace_back();
        out.back().source = path.filename().string();
        out.back().name = l.substr(4);
        continue;
      }
      if (out.empty()) continue;
      LogicCase& c = out.back();
      if (l.rfind("expect:", 0) == 0) {
        std::istringstream in(l.substr(7));
        std::string r;
        while (in >> r) {
          if (r != "none") c.expect.insert(r);
        }
      } else if (l.rfind("file ", 0) == 0) {
        std::istringstream in(l.substr(5));
        std::string side, p;
        in >> side >> p;
        if (i + 1 >= lines.size() || lines[i + 1] != "<<<") throw std::runtime_error("expected <<< after " + l);
        std::string content;
        for (i += 2; i < lines.size() && lines[i] != ">>>"; ++i) content += lines[i] + "\n";
        c.repo = true;
        if (side == "base" || side == "both") c.base[p] = content;
        if (side == "head" || side == "both") c.head[p] = content;
      } else {
        diff_text += l + "\n";
      }
    }
    finish();
  }
  return out;
}

}  // namespace reviewer::test
