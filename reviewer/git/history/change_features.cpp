#include "reviewer/git/history/change_features.h"

#include <algorithm>
#include <set>

namespace reviewer::history {

namespace {
constexpr double kSecondsPerDay = 86400.0;
constexpr double kSecondsPerYear = 365.25 * kSecondsPerDay;
}  // namespace

FeatureVector change_features(const HistoryIndex& ix, const ChangeShape& change) {
  FeatureVector f{};
  std::set<std::string> subsystems, folders;
  std::vector<int> per_file;
  std::vector<std::uint32_t> devs, changes;
  double lt = 0, age = 0;
  int known = 0, aged = 0;
  std::uint32_t fixes = 0, commits = 0, reverts = 0;
  bool code = false;
  for (const auto& t : change.files) {
    f[kLA] += static_cast<float>(t.added);
    f[kLD] += static_cast<float>(t.deleted);
    subsystems.insert(subsystem_of(t.path()));
    folders.insert(folder_of(t.path()));
    per_file.push_back(t.added + t.deleted);
    code = code || file_role(t.path()) == FileRole::code;
    const FileState* fs = t.old_path.empty() ? nullptr : ix.file(t.old_path);
    if (!fs) continue;
    lt += fs->lines;
    known += 1;
    if (fs->last_time > 0) {
      age += std::max(0.0, static_cast<double>(change.time - fs->last_time)) / kSecondsPerDay;
      aged += 1;
    }
    devs.insert(devs.end(), fs->authors.begin(), fs->authors.end());
    changes.insert(changes.end(), fs->commits.begin(), fs->commits.end());
    fixes += fs->fixes;
    commits += static_cast<std::uint32_t>(fs->commits.size());
    reverts += fs->reverts;
  }
  std::sort(devs.begin(), devs.end());
  std::sort(changes.begin(), changes.end());
  f[kLT] = known ? static_cast<float>(lt / known) : 0.f;
  f[kNS] = static_cast<float>(subsystems.size());
  f[kND] = static_cast<float>(folders.size());
  f[kNF] = static_cast<float>(change.files.size());
  f[kEntropy] = static_cast<float>(change_entropy(per_file));
  f[kFix] = change.fix ? 1.f : 0.f;
  f[kNDev] = static_cast<float>(std::unique(devs.begin(), devs.end()) - devs.begin());
  f[kAge] = aged ? static_cast<float>(age / aged) : 0.f;
  f[kNUC] = static_cast<float>(std::unique(changes.begin(), changes.end()) - changes.begin());
  if (change.author && *change.author < ix.authors.size()) {
    const AuthorState& me = ix.authors[*change.author];
    f[kExp] = static_cast<float>(me.times.size());
    double rexp = 0;
    for (auto t : me.times) {
      rexp += 1.0 / (1.0 + std::max(0.0, static_cast<double>(change.time - t)) / kSecondsPerYear);
    }
    f[kRExp] = static_cast<float>(rexp);
    double sexp = 0;
    for (const auto& s : subsystems) {
      auto it = me.subsystems.find(s);
      if (it != me.subsystems.end()) sexp += it->second;
    }
    f[kSExp] = static_cast<float>(sexp);
  }
  f[kPriorReverts] = static_cast<float>(reverts);
  f[kFixShare] = commits ? static_cast<float>(fixes) / static_cast<float>(commits) : 0.f;
  f[kTouchesCode] = code ? 1.f : 0.f;
  return f;
}

}  // namespace reviewer::history
