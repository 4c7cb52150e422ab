// The labelled safety corpus (tests/data/safety/*.cases, written by
// make_corpus.py): loading, and scoring the agent on it. Shared by the
// corpus test and the benchmark.
#pragma once

#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "reviewer/core/diff.h"
#include "reviewer/core/finding.h"
#include "subagents/safety/secret_checks.h"

namespace reviewer::test {

struct CorpusCase {
  std::string expect;  // rule without "safety/", or "-" for a negative
  std::string where;   // "file:line" of the case header, for messages
  bool pr_body = false;
  std::string body;    // PR body when pr_body
  FileDiff file;
  std::vector<std::string> added;  // the added lines (for writing files)
};

// Removes the "<<>>" split markers and expands {{crc:PREFIX:RANDOM}}.
inline std::string expand_corpus_markers(std::string s) {
  for (auto p = s.find("<<>>"); p != std::string::npos; p = s.find("<<>>")) s.erase(p, 4);
  for (auto p = s.find("{{crc:"); p != std::string::npos; p = s.find("{{crc:")) {
    auto colon = s.find(':', p + 6);
    auto end = s.find("}}", p);
    if (colon == std::string::npos || end == std::string::npos) throw std::runtime_error("bad crc marker");
    std::string prefix = s.substr(p + 6, colon - p - 6);
    std::string random = s.substr(colon + 1, end - colon - 1);
    s.replace(p, end + 2 - p, prefix + random + safety::github_checksum(random));
  }
  return s;
}

inline std::vector<CorpusCase> load_corpus(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read corpus " + path);
  std::vector<CorpusCase> cases;
  std::string line;
  int n = 0;
  std::deque<std::string> texts;  // the current case's line contents, until its file owns them
  auto finish = [&]() {
    if (cases.empty()) return;
    auto& c = cases.back();
    own_text(c.file);
    texts.clear();
    if (c.pr_body || c.file.binary || c.file.submodule || c.file.kind == ChangeKind::deleted) return;
    int fresh = 1;
    for (auto& h : c.file.hunks) {
      for (auto& l : h.lines) l.new_line = fresh++;
    }
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind(";;", 0) == 0) continue;
    if (line.rfind("=== ", 0) == 0) {
      finish();
      std::istringstream hs(line.substr(4));
      CorpusCase c;
      std::string path, flag;
      hs >> c.expect >> path;
      c.where = path + " (" + path.substr(0, 0) + std::to_string(n) + ")";
      c.pr_body = path == "PR";
      c.file.new_path = c.file.old_path = path;
      c.file.old_mode = c.file.new_mode = 0100644;
      c.file.hunks.emplace_back();
      while (hs >> flag) {
        if (flag == "kind=added") {
          c.file.kind = ChangeKind::added;
          c.file.old_path.clear();
          c.file.old_mode = 0;
        } else if (flag == "kind=deleted") {
          c.file.kind = ChangeKind::deleted;
          c.file.new_path.clear();
          c.file.new_mode = 0;
        } else if (flag.rfind("mode=", 0) == 0) {
          auto colon = flag.find(':');
          c.file.old_mode = static_cast<std::uint32_t>(std::stoul(flag.substr(5, colon - 5), nullptr, 8));
          c.file.new_mode = static_cast<std::uint32_t>(std::stoul(flag.substr(colon + 1), nullptr, 8));
        } else if (flag == "symlink") {
          c.file.symlink = true;
          c.file.new_mode = 0120000;
        } else if (flag == "binary") {
          c.file.binary = true;
        } else if (flag.rfind("prefix=", 0) == 0) {
          for (std::size_t i = 7; i + 1 < flag.size(); i += 2) {
            c.file.new_prefix += static_cast<char>(std::stoi(flag.substr(i, 2), nullptr, 16));
          }
        } else if (flag == "submodule") {
          c.file.submodule = true;
          c.file.old_id = std::string(40, '1');
          c.file.new_id = std::string(40, '2');
        } else {
          throw std::runtime_error(path + ": unknown corpus flag " + flag);
        }
      }
      cases.push_back(std::move(c));
      continue;
    }
    if (cases.empty()) throw std::runtime_error("corpus text before the first case");
    auto& c = cases.back();
    if (c.pr_body) {
      c.body += (c.body.empty() ? "" : "\n") + expand_corpus_markers(line);
      continue;
    }
    DiffLine dl;
    if (line.rfind("~ ", 0) == 0) {
      dl.origin = LineOrigin::context;
      dl.content = texts.emplace_back(expand_corpus_markers(line.substr(2)));
    } else if (line.rfind("-~ ", 0) == 0) {
      dl.origin = LineOrigin::deleted;
      dl.content = texts.emplace_back(expand_corpus_markers(line.substr(3)));
      ++c.file.deletions;
    } else {
      dl.origin = LineOrigin::added;
      dl.content = texts.emplace_back(expand_corpus_markers(line));
      c.added.emplace_back(dl.content);
      ++c.file.additions;
    }
    c.file.hunks.back().lines.push_back(dl);
  }
  finish();
  return cases;
}

struct CorpusScore {
  int positives = 0, negatives = 0;
  int true_positives = 0;   // positives whose expected rule was found
  int false_positives = 0;  // negatives flagged, or positives flagged under a wrong rule only
  std::vector<std::string> misses, false_alarms;
  double recall() const { return positives ? double(true_positives) / positives : 0.0; }
  double precision() const {
    return true_positives + false_positives ? double(true_positives) / (true_positives + false_positives) : 0.0;
  }
};

// A case is "flagged" when a finding of severity warning or above is
// reported (info findings change no decision). A positive counts as found
// when its expected rule is reported at any severity.
inline void score_case(const CorpusCase& c, const std::vector<Finding>& findings, CorpusScore& s) {
  bool flagged = false, found = false;
  std::string got;
  for (const auto& f : findings) {
    flagged |= f.severity >= Severity::warning;
    found |= f.rule == "safety/" + c.expect;
    got += " " + f.rule;
  }
  if (c.expect == "-") {
    ++s.negatives;
    if (flagged) {
      ++s.false_positives;
      s.false_alarms.push_back(c.where + ":" + got);
    }
  } else {
    ++s.positives;
    if (found) {
      ++s.true_positives;
    } else {
      s.misses.push_back(c.where + " expected " + c.expect + ", got" + (got.empty() ? " nothing" : got));
      if (flagged) ++s.false_positives;
    }
  }
}

}  // namespace reviewer::test
