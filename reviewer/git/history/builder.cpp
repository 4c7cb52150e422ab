#include "reviewer/git/history/builder.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <ctime>
#include <optional>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"
#include "reviewer/git/handles.h"
#include "reviewer/git/history/change_author.h"
#include "reviewer/git/history/change_features.h"
#include "reviewer/git/history/commit_diff.h"

namespace reviewer::history::detail {

namespace {

using git::CommitPtr;
using git::ObjectPtr;

// Dates before git existed are broken clocks, not history.
constexpr std::int64_t kEarliestPlausible = 1104537600;  // 2005-01-01

std::string oid_hex(const git_oid* oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, oid);
  return buf;
}

// Inserts v into a sorted vector if absent; returns whether it was new.
bool insert_sorted(std::vector<std::uint32_t>& v, std::uint32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it != v.end() && *it == x) return false;
  v.insert(it, x);
  return true;
}

std::string squeeze(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

class Walker {
 public:
  // `mailmap_at`: the commit whose .mailmap maps authors (the newest indexed).
  Walker(git_repository* repo, HistoryIndex& index, const BuildOptions& opts, const std::string& mailmap_at)
      : repo_(repo), ix_(index), opts_(opts), classifier_(opts.classifier), authors_(repo, mailmap_at) {}

  // Adds one commit. Throws Interrupted (from the diff, before anything
  // is changed) when `stop` says so.
  void add(const std::string& sha, const std::function<bool()>& stop) {
    git_oid oid;
    check(git_oid_fromstr(&oid, sha.c_str()), "parse commit id");
    git_commit* raw = nullptr;
    check(git_commit_lookup(&raw, repo_, &oid), fmt::format("read commit {}", sha));
    CommitPtr commit(raw);

    const char* msg = git_commit_message(commit.get());
    const bool merge = git_commit_parentcount(commit.get()) > 1;
    // A merge commit says "Merge pull request #13 from o/b" and then the
    // pull request's title: the title is what the change is called.
    const std::string message = merge ? merge_message(msg ? msg : "") : (msg ? msg : "");
    MessageClass cls = classifier_.classify(message);
    CommitRecord rec;
    // First, as it may be interrupted: the diff changes nothing.
    std::vector<Touched> touched = diff_commit(repo_, commit.get(), opts_, cls.fix, stop, &rec.bulk);

    const std::uint32_t id = static_cast<std::uint32_t>(ix_.commits.size());
    rec.sha = sha;
    rec.subject = std::string(trim(std::string_view(message).substr(0, message.find('\n'))));
    rec.time = plausible_time(git_commit_time(commit.get()));
    rec.author = change_author(commit.get(), merge);
    // A merge's side-branch commits speak for it too: a "This reverts
    // commit" line there is the pull request's.
    if (merge) merge_side(commit.get(), id, cls);
    rec.fix = cls.fix;
    rec.revert = cls.revert;
    // Bulk commits are not learnt from: no features.
    if (!rec.bulk) rec.features = features_before(rec, touched);

    ix_.commits.push_back(rec);
    ix_.commit_ids[sha] = id;
    if (cls.revert) label_reverted(cls, id);
    if (rec.fix) blame_fix(touched, id);
    apply(touched, id);
    ix_.subject_ids[normalise_subject(rec.subject)] = id;
    ix_.tip = sha;
  }

 private:

  // Non-decreasing along the line. Clocks from before git, or more than ten
  // years past the previous commit, are broken: the previous time is used
  // (never the wall clock, so a rebuild gives the same index).
  std::int64_t plausible_time(std::int64_t t) const {
    const std::int64_t prev = ix_.commits.empty() ? 0 : ix_.commits.back().time;
    constexpr std::int64_t kTenYears = 10LL * 365 * 86400;
    if (t < kEarliestPlausible || (prev != 0 && t > prev + kTenYears)) return prev;
    return std::max(t, prev);
  }

  std::uint32_t author_id(std::string_view name, std::string_view email) {
    std::string key = author_key(name, email);
    auto it = ix_.author_ids.find(key);
    if (it != ix_.author_ids.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(ix_.authors.size());
    ix_.authors.push_back(AuthorState{key, {}, {}, {}, {}});
    ix_.author_ids.emplace(std::move(key), id);
    return id;
  }

  // Kamei's features from the state before this commit lands.
  FeatureVector features_before(const CommitRecord& rec, const std::vector<Touched>& touched) const {
    ChangeShape shape;
    shape.time = rec.time;
    shape.author = rec.author;
    shape.fix = rec.fix;
    shape.files.reserve(touched.size());
    for (const auto& t : touched) shape.files.push_back({t.old_path, t.new_path, t.added, t.deleted, std::nullopt});
    return change_features(MemoryIndex(ix_), shape, ix_.commits.size());
  }

  // "Merge pull request #13 from o/b\n\nTitle\n..." -> "Title\n...";
  // other merge messages are kept as they are.
  static std::string merge_message(const std::string& message) {
    if (!message.starts_with("Merge pull request #") && !message.starts_with("Merge branch ")) return message;
    const auto body = message.find("\n\n");
    if (body == std::string::npos) return message;
    std::string rest = message.substr(body + 2);
    return trim(rest).empty() ? message : rest;
  }

  // Branch commits of a merge -> the merge, for reverts that name them; and
  // the reverts their messages name, folded into the merge's class. The
  // branch is walked back until it meets commits already indexed (on the
  // line, or brought in by an earlier merge): what the merge brings, at the
  // cost of the branch alone (a revision walk hiding the first parent pays
  // for the mainline around the fork point at every merge).
  // Who made the change: for a merge on the first-parent line, the author of
  // the branch it merged (the pull request's, change_author.h), not whoever
  // pressed "merge"; otherwise a contributor of merged pull requests would
  // stay a stranger (exp 0, `history/first-change`) however many landed.
  std::uint32_t change_author(git_commit* commit, bool merge) {
    Identity who = authors_.author(commit);
    if (merge) {
      git_commit* raw = nullptr;
      if (git_commit_parent(&raw, commit, 1) == 0) {
        CommitPtr side(raw);
        // The branch's own commits end where indexed history begins (the
        // line, or what an earlier merge brought).
        who = authors_.change_author(side.get(), [this](const git_oid& id) {
          const std::string h = oid_hex(&id);
          return ix_.commit_ids.count(h) > 0 || ix_.merged_ids.count(h) > 0;
        });
      } else {
        git_error_clear();  // beyond a shallow boundary: the merge's own author
      }
    }
    return author_id(who.name, who.email);
  }

  void merge_side(git_commit* merge, std::uint32_t id, MessageClass& cls) {
    std::vector<git_oid> queue;
    const unsigned parents = git_commit_parentcount(merge);
    for (unsigned p = 1; p < parents; ++p) {
      if (const git_oid* oid = git_commit_parent_id(merge, p)) queue.push_back(*oid);
    }
    std::size_t seen = 0;
    // A merge of an unrelated history can bring thousands: cap the work.
    for (std::size_t next = 0; next < queue.size() && seen < 10000; ++next) {
      const git_oid oid = queue[next];
      std::string sha = oid_hex(&oid);
      if (ix_.commit_ids.count(sha) || !ix_.merged_ids.emplace(std::move(sha), id).second) continue;
      ++seen;
      git_commit* raw = nullptr;
      if (git_commit_lookup(&raw, repo_, &oid) < 0) {
        git_error_clear();  // beyond a shallow boundary
        continue;
      }
      CommitPtr side(raw);
      const unsigned n = git_commit_parentcount(side.get());
      for (unsigned p = 0; p < n; ++p) {
        if (const git_oid* parent = git_commit_parent_id(side.get(), p)) queue.push_back(*parent);
      }
      const char* m = git_commit_message(side.get());
      // The messages of a pull request's own commits, not an import's.
      if (seen > 100 || !m || n > 1) continue;
      // Reverts only: a side branch's "fix review comments" or "fix CI" is
      // the pull request's own housekeeping, not a fix of earlier code.
      MessageClass c = classifier_.classify(m);
      cls.reverted_shas.insert(cls.reverted_shas.end(), c.reverted_shas.begin(), c.reverted_shas.end());
      if (cls.reverted_title.empty()) cls.reverted_title = c.reverted_title;
    }
    cls.revert = !cls.reverted_shas.empty() || !cls.reverted_title.empty();
    if (cls.revert) cls.fix = false;  // labelled through its target
  }

  std::optional<std::uint32_t> find_commit(const std::string& sha_or_prefix) const {
    auto exact = ix_.commit_ids.find(sha_or_prefix);
    if (exact != ix_.commit_ids.end()) return exact->second;
    auto merged = ix_.merged_ids.find(sha_or_prefix);
    if (merged != ix_.merged_ids.end()) return merged->second;
    if (sha_or_prefix.size() < GIT_OID_HEXSZ) {
      // An abbreviated id: let libgit2 expand it.
      git_object* obj = nullptr;
      if (git_revparse_single(&obj, repo_, sha_or_prefix.c_str()) == 0) {
        ObjectPtr o(obj);
        const std::string full = oid_hex(git_object_id(o.get()));
        if (full != sha_or_prefix) return find_commit(full);
      }
    }
    return std::nullopt;
  }

  void label_reverted(const MessageClass& cls, std::uint32_t id) {
    const std::int64_t now = ix_.commits[id].time;
    std::vector<std::uint32_t> targets;
    for (const auto& sha : cls.reverted_shas) {
      if (auto t = find_commit(sha); t && *t != id) targets.push_back(*t);
    }
    if (targets.empty() && !cls.reverted_title.empty()) {
      auto it = ix_.subject_ids.find(cls.reverted_title);
      if (it != ix_.subject_ids.end() && it->second != id) targets.push_back(it->second);
    }
    for (auto t : targets) {
      CommitRecord& c = ix_.commits[t];
      if (c.reverted_at == 0) {
        c.reverted_at = now;
        c.reverted_by = id;
      }
    }
  }

  // SZZ: the lines this fix deleted or changed, traced to the commits that
  // last touched them.
  void blame_fix(const std::vector<Touched>& touched, std::uint32_t id) {
    const std::int64_t now = ix_.commits[id].time;
    for (const auto& t : touched) {
      if (!t.text || t.old_path.empty() || t.new_path.empty()) continue;
      // A fix's edits to docs, tests and changelogs do not point at the
      // code that was wrong.
      if (file_role(t.old_path) != FileRole::code) continue;
      auto fit = ix_.file_ids.find(t.old_path);
      if (fit == ix_.file_ids.end()) continue;
      FileState& fs = ix_.files[fit->second];
      if (fs.origin.empty()) continue;
      const CommentStyle style = comment_style(t.old_path);
      for (const auto& h : t.hunks) {
        std::unordered_set<std::string> kept;
        for (const auto& p : h.plus) kept.insert(squeeze(p));
        for (std::size_t k = 0; k < h.minus.size(); ++k) {
          if (comment_or_blank(h.minus[k], style) || kept.count(squeeze(h.minus[k]))) continue;
          const std::size_t line = static_cast<std::size_t>(h.old_start - 1) + k;
          if (line >= fs.origin.size() || fs.origin[line] == 0) continue;
          const std::uint32_t culprit = fs.origin[line] - 1;
          if (culprit >= id) continue;
          CommitRecord& c = ix_.commits[culprit];
          if (c.fixed_at == 0) {
            c.fixed_at = now;
            c.fixed_by = id;
          }
          insert_sorted(fs.blamed, culprit);
        }
      }
    }
  }

  // Moves each line's origin through the hunks (context 0: hunks are
  // exactly the changed ranges, in order).
  static bool shift_origins(std::vector<std::uint32_t>& origin, const Touched& t, std::uint32_t id) {
    std::vector<std::uint32_t> out;
    out.reserve(origin.size() + static_cast<std::size_t>(t.added));
    std::size_t pos = 0;
    for (const auto& h : t.hunks) {
      // With no old lines, old_start is the line after which lines go in.
      const std::size_t start = h.old_lines == 0 ? static_cast<std::size_t>(h.old_start)
                                                 : static_cast<std::size_t>(h.old_start - 1);
      if (start < pos || start + static_cast<std::size_t>(h.old_lines) > origin.size()) return false;
      out.insert(out.end(), origin.begin() + static_cast<long>(pos), origin.begin() + static_cast<long>(start));
      out.insert(out.end(), static_cast<std::size_t>(h.new_lines), id + 1);
      pos = start + static_cast<std::size_t>(h.old_lines);
    }
    out.insert(out.end(), origin.begin() + static_cast<long>(pos), origin.end());
    origin.swap(out);
    return true;
  }

  std::uint32_t file_for(const Touched& t) {
    if (!t.old_path.empty()) {
      auto it = ix_.file_ids.find(t.old_path);
      if (it != ix_.file_ids.end()) {
        const std::uint32_t id = it->second;
        if (!t.new_path.empty() && t.new_path != t.old_path) {
          // A rename (or a copy: the copy starts a file of its own below).
          if (t.status == GIT_DELTA_COPIED) return new_file(t.new_path);
          ix_.file_ids.erase(it);
          ix_.former_ids[t.old_path] = id;
          ix_.file_ids[t.new_path] = id;
          ix_.files[id].path = t.new_path;
        }
        return id;
      }
    }
    return new_file(t.path());
  }

  std::uint32_t new_file(const std::string& path) {
    const auto id = static_cast<std::uint32_t>(ix_.files.size());
    ix_.files.emplace_back();
    ix_.files.back().path = path;
    ix_.file_ids[path] = id;
    return id;
  }

  // The state after the commit: files, lines, authors.
  void apply(const std::vector<Touched>& touched, std::uint32_t id) {
    const CommitRecord& rec = ix_.commits[id];
    AuthorState& me = ix_.authors[rec.author];
    me.commits.push_back(id);
    std::set<std::string> subsystems, folders;
    for (const auto& t : touched) {
      // An import or a mass change: only the files already followed.
      if (rec.bulk && !ix_.file_ids.count(t.old_path)) continue;
      const std::uint32_t fid = file_for(t);
      FileState& fs = ix_.files[fid];
      fs.commits.push_back(id);
      insert_sorted(fs.authors, rec.author);
      fs.last_time = rec.time;
      if (rec.fix) fs.fixes += 1;
      if (rec.revert) fs.reverts += 1;
      if (t.new_path.empty()) {
        fs.alive = false;
        fs.origin.clear();
        fs.origin.shrink_to_fit();
        fs.lines = 0;
        ix_.file_ids.erase(t.old_path);
        ix_.former_ids[t.old_path] = fid;
      } else {
        fs.alive = true;
        if (!t.text) {
          fs.origin.clear();
          fs.lines = 0;
        } else if (t.status == GIT_DELTA_ADDED || t.status == GIT_DELTA_COPIED) {
          // A new file is all this commit's.
          fs.origin.assign(static_cast<std::size_t>(t.added), id + 1);
        } else if (!fs.origin.empty()) {
          if (!shift_origins(fs.origin, t, id)) fs.origin.clear();
        }
        // A file that lost its line history (binary, oversized, a bulk
        // commit) is followed again only once it is added anew: a partial
        // table would blame the wrong commits.
        fs.lines = static_cast<std::uint32_t>(fs.origin.size());
      }
      me.files[fid].push_back(id);
      subsystems.insert(subsystem_of(t.path()));
      folders.insert(folder_of(t.path()));
    }
    for (const auto& s : subsystems) me.subsystems[s].push_back(id);
    for (const auto& f : folders) me.folders[f].push_back(id);
  }

  git_repository* repo_;
  HistoryIndex& ix_;
  const BuildOptions& opts_;
  MessageClassifier classifier_;
  AuthorFinder authors_;
};

}  // namespace

std::vector<std::string> first_parent_line(git_repository* repo, const std::string& base, const std::string& stop_at,
                                           bool* reached, bool* shallow) {
  *reached = stop_at.empty();
  *shallow = git_repository_is_shallow(repo) == 1;
  std::vector<std::string> line;
  git_oid oid;
  if (git_oid_fromstr(&oid, base.c_str()) < 0) {
    throw Error(Error::Code::invalid_input, fmt::format("history: '{}' is not a commit id", base));
  }
  while (true) {
    const std::string sha = oid_hex(&oid);
    if (!stop_at.empty() && sha == stop_at) {
      *reached = true;
      break;
    }
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo, &oid) < 0) {
      if (line.empty()) {
        throw Error(Error::Code::invalid_input,
                    fmt::format("history: cannot read commit {}: {}", sha, git::last_error_message()));
      }
      *shallow = true;  // a parent the repository does not have
      break;
    }
    CommitPtr c(raw);
    line.push_back(sha);
    if (git_commit_parentcount(c.get()) == 0) break;
    const git_oid* parent = git_commit_parent_id(c.get(), 0);
    if (!parent) break;
    oid = *parent;
  }
  std::reverse(line.begin(), line.end());
  return line;
}

std::size_t add_commits(git_repository* repo, HistoryIndex& index, std::span<const std::string> line,
                        const BuildOptions& options, const std::function<bool()>& deadline) {
  Walker w(repo, index, options, line.empty() ? std::string() : line.back());
  std::size_t n = 0;
  for (const auto& sha : line) {
    if (options.expired && options.expired()) break;
    try {
      w.add(sha, deadline);
    } catch (const Interrupted&) {
      break;  // a huge commit past the deadline: the next update retries it
    }
    ++n;
  }
  return n;
}

}  // namespace reviewer::history::detail
