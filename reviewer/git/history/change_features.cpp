#include "reviewer/git/history/change_features.h"

#include <algorithm>
#include <optional>
#include <set>
#include <span>

namespace reviewer::history {

namespace {
constexpr double kSecondsPerDay = 86400.0;
constexpr double kSecondsPerYear = 365.25 * kSecondsPerDay;
// Changes looked at for the bug shares: the most recent ones only, so the
// share follows how things are now and indexing stays linear.
constexpr std::size_t kBugWindow = 200;
constexpr std::size_t kRecentWindow = 1000;

// How many distinct commits the ascending lists hold together.
std::size_t distinct(const std::vector<std::span<const std::uint32_t>>& lists) {
  if (lists.size() == 1) return lists[0].size();
  std::vector<std::uint32_t> all;
  for (const auto& l : lists) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  return static_cast<std::size_t>(std::unique(all.begin(), all.end()) - all.begin());
}

// Of the last kBugWindow commits of `list` before `as_of`, how many were
// known to have gone bad by `now`; adds to *bad and *seen.
void count_labelled(const IndexView& ix, std::span<const std::uint32_t> list, std::size_t as_of,
                    std::int64_t now, double* bad, double* seen) {
  const std::size_t end = count_before(list, as_of);
  const std::size_t begin = end > kBugWindow ? end - kBugWindow : 0;
  for (std::size_t i = begin; i < end; ++i) {
    const auto t = ix.commit(list[i]).label_time();
    *bad += (t != 0 && t <= now) ? 1 : 0;
    *seen += 1;
  }
}

}  // namespace

std::size_t count_before(std::span<const std::uint32_t> commits, std::size_t as_of) {
  return static_cast<std::size_t>(
      std::lower_bound(commits.begin(), commits.end(), static_cast<std::uint32_t>(std::min<std::size_t>(as_of, UINT32_MAX))) -
      commits.begin());
}

FileView file_view(const IndexView& ix, const FileFacts& fs, std::size_t as_of) {
  FileView v;
  if (as_of >= ix.commit_count()) {
    // At the tip: the running totals, without recounting or copying.
    v.commits = fs.commits;
    v.authors = fs.authors;
    v.last_time = fs.last_time;
    v.fixes = fs.fixes;
    v.reverts = fs.reverts;
    return v;
  }
  v.commits = fs.commits.first(count_before(fs.commits, as_of));
  for (auto c : v.commits) {
    const CommitFacts& rec = ix.commit(c);
    v.own_authors.push_back(rec.author);
    v.fixes += rec.fix ? 1 : 0;
    v.reverts += rec.revert ? 1 : 0;
    v.last_time = rec.time;
  }
  std::sort(v.own_authors.begin(), v.own_authors.end());
  v.own_authors.erase(std::unique(v.own_authors.begin(), v.own_authors.end()), v.own_authors.end());
  v.authors = {v.own_authors.data(), v.own_authors.size()};
  return v;
}

FeatureVector change_features(const IndexView& ix, const ChangeShape& change, std::size_t as_of) {
  FeatureVector f{};
  std::set<std::string> subsystems, folders;
  std::vector<int> per_file;
  std::vector<std::uint32_t> devs;
  std::vector<std::span<const std::uint32_t>> change_lists;
  double lt = 0, age = 0;
  int known = 0, aged = 0;
  std::uint32_t fixes = 0, commits = 0, reverts = 0;
  double file_bad = 0, file_seen = 0;
  bool code = false;
  for (const auto& t : change.files) {
    f[kLA] += static_cast<float>(t.added);
    f[kLD] += static_cast<float>(t.deleted);
    subsystems.insert(subsystem_of(t.path()));
    folders.insert(folder_of(t.path()));
    per_file.push_back(t.added + t.deleted);
    code = code || file_role(t.path()) == FileRole::code;
    const std::optional<FileFacts> fs = t.old_path.empty() ? std::nullopt : ix.file_as_of(t.old_path, as_of);
    if (t.old_lines) {
      lt += *t.old_lines;
      known += 1;
    } else if (fs) {
      lt += fs->lines;
      known += 1;
    }
    if (!fs) continue;
    count_labelled(ix, fs->commits, as_of, change.time, &file_bad, &file_seen);
    const FileView v = file_view(ix, *fs, as_of);
    if (v.last_time > 0) {
      age += std::max(0.0, static_cast<double>(change.time - v.last_time)) / kSecondsPerDay;
      aged += 1;
    }
    devs.insert(devs.end(), v.authors.begin(), v.authors.end());
    change_lists.push_back(v.commits);
    fixes += v.fixes;
    commits += static_cast<std::uint32_t>(v.commits.size());
    reverts += v.reverts;
  }
  std::sort(devs.begin(), devs.end());
  f[kLT] = known ? static_cast<float>(lt / known) : 0.f;
  f[kNS] = static_cast<float>(subsystems.size());
  f[kND] = static_cast<float>(folders.size());
  f[kNF] = static_cast<float>(change.files.size());
  f[kEntropy] = static_cast<float>(change_entropy(per_file));
  f[kFix] = change.fix ? 1.f : 0.f;
  f[kNDev] = static_cast<float>(std::unique(devs.begin(), devs.end()) - devs.begin());
  f[kAge] = aged ? static_cast<float>(age / aged) : 0.f;
  f[kNUC] = static_cast<float>(distinct(change_lists));
  if (change.author && *change.author < ix.author_count()) {
    const std::span<const std::uint32_t> mine = ix.author_commits(*change.author);
    const std::size_t n = count_before(mine, as_of);
    f[kExp] = static_cast<float>(n);
    double rexp = 0;
    // The most recent kRecentWindow changes: older ones weigh little, and
    // a prolific author would make indexing quadratic.
    for (std::size_t i = n > kRecentWindow ? n - kRecentWindow : 0; i < n; ++i) {
      const double years = std::max(0.0, static_cast<double>(change.time - ix.commit(mine[i]).time)) / kSecondsPerYear;
      rexp += 1.0 / (1.0 + years);
    }
    f[kRExp] = static_cast<float>(rexp);
    double sexp = 0;
    for (const auto& s : subsystems) {
      sexp += static_cast<double>(count_before(ix.author_subsystem_commits(*change.author, s), as_of));
    }
    f[kSExp] = static_cast<float>(sexp);
    double bad = 0, seen = 0;
    count_labelled(ix, mine, as_of, change.time, &bad, &seen);
    f[kAuthorBugShare] = seen > 0 ? static_cast<float>(bad / seen) : 0.f;
  }
  f[kFileBugShare] = file_seen > 0 ? static_cast<float>(file_bad / file_seen) : 0.f;
  f[kPriorReverts] = static_cast<float>(reverts);
  f[kFixShare] = commits ? static_cast<float>(fixes) / static_cast<float>(commits) : 0.f;
  f[kTouchesCode] = code ? 1.f : 0.f;
  return f;
}

}  // namespace reviewer::history
