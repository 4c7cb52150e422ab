#include "subagents/history/explain.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include <fmt/format.h>

namespace reviewer::history {

namespace {

constexpr std::int64_t kTwoYears = 2 * 365 * 86400;

long as_long(float v) { return std::lround(v); }

std::string plural(long n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The touched file with the most reverts and fixes in the last two years,
// and those counts.
struct Troubled {
  std::string path;
  long reverts = 0, fixes = 0;
};

Troubled most_troubled(const IndexView& ix, const ChangeShape& change, std::size_t as_of) {
  Troubled best;
  for (const auto& f : change.files) {
    const std::optional<FileFacts> fs = f.old_path.empty() ? std::nullopt : ix.file_as_of(f.old_path, as_of);
    if (!fs) continue;
    Troubled t{f.old_path, 0, 0};
    for (std::size_t i = 0; i < count_before(fs->commits, as_of); ++i) {
      const auto c = fs->commits[i];
      const CommitFacts& rec = ix.commit(c);
      if (rec.time < change.time - kTwoYears) continue;
      t.reverts += rec.revert ? 1 : 0;
      t.fixes += rec.fix ? 1 : 0;
    }
    if (t.reverts * 10 + t.fixes > best.reverts * 10 + best.fixes) best = t;
  }
  return best;
}

// A touched file the author has never changed, preferring the one with the
// longest history (the most to know about).
std::string first_touch(const IndexView& ix, const ChangeShape& change, std::size_t as_of) {
  std::string best;
  std::size_t depth = 0;
  for (const auto& f : change.files) {
    const std::optional<FileFacts> fs = f.old_path.empty() ? std::nullopt : ix.file_as_of(f.old_path, as_of);
    if (!fs) continue;
    bool touched = false;
    if (change.author) {
      touched = count_before(ix.author_file_commits(*change.author, fs->id), as_of) > 0;
    }
    const std::size_t n = count_before(fs->commits, as_of);
    if (!touched && n > depth) {
      depth = n;
      best = f.old_path;
    }
  }
  return best;
}

std::string reason(int feature, const IndexView& ix, const ChangeShape& change, const FeatureVector& x,
                   std::size_t as_of) {
  auto v = [&](int f) { return x[static_cast<std::size_t>(f)]; };
  switch (feature) {
    case kLA:
    case kLD:
      return fmt::format("{} added and {} deleted", plural(as_long(v(kLA)), "line", "lines"), as_long(v(kLD)));
    case kLT:
      return fmt::format("the touched files are long ({} lines on average)", as_long(v(kLT)));
    case kNS:
    case kND:
    case kNF:
    case kEntropy:
      return fmt::format("spread over {} in {} and {}", plural(as_long(v(kNF)), "file", "files"),
                         plural(as_long(v(kND)), "folder", "folders"), plural(as_long(v(kNS)), "area", "areas"));
    case kFix:
      return "a fix (fixes often need fixing again)";
    case kNDev:
      return fmt::format("the touched files were changed by {} before", plural(as_long(v(kNDev)), "person", "different people"));
    case kAge:
      return fmt::format("the touched files last changed {} ago on average", plural(as_long(v(kAge)), "day", "days"));
    case kNUC:
      return fmt::format("the touched files changed {} before", plural(as_long(v(kNUC)), "time", "times"));
    case kExp:
    case kRExp:
    case kSExp: {
      const std::string file = first_touch(ix, change, as_of);
      if (v(kExp) < 0.5f) return "the author's first change in this repository";
      if (!file.empty()) return fmt::format("first change by this author to {}", file);
      return fmt::format("the author has {} here ({} in the touched areas)", plural(as_long(v(kExp)), "earlier change", "earlier changes"),
                         as_long(v(kSExp)));
    }
    case kPriorReverts:
    case kFixShare: {
      const Troubled t = most_troubled(ix, change, as_of);
      if (t.path.empty()) return fmt::format("the touched files were reverted {} before", plural(as_long(v(kPriorReverts)), "time", "times"));
      return fmt::format("{} was reverted {} and fixed {} in the last 2 years", t.path, plural(t.reverts, "time", "times"),
                         plural(t.fixes, "time", "times"));
    }
    case kTouchesCode:
      return "it changes code, not only docs or tests";
    case kAuthorBugShare:
      return fmt::format("{:.0f}% of the author's recent changes here were later reverted or fixed",
                         100 * v(kAuthorBugShare));
    case kFileBugShare:
      return fmt::format("{:.0f}% of the recent changes to these files were later reverted or fixed",
                         100 * v(kFileBugShare));
    default:
      return "";
  }
}

// Features that say the same thing in words share one group.
int group_of(int f) {
  switch (f) {
    case kLD: return kLA;
    case kND: case kNF: case kEntropy: return kNS;
    case kRExp: case kSExp: return kExp;
    case kFixShare: return kPriorReverts;
    default: return f;
  }
}

}  // namespace

std::string explain_risk(const IndexView& index, const ChangeShape& change, std::size_t as_of,
                         const FeatureVector& x, const std::array<double, kFeatureCount>& contributions,
                         std::size_t top) {
  std::vector<int> order(kFeatureCount);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return contributions[static_cast<std::size_t>(a)] > contributions[static_cast<std::size_t>(b)];
  });
  std::vector<std::string> said;
  std::vector<int> groups;
  for (int f : order) {
    if (said.size() >= top || contributions[static_cast<std::size_t>(f)] <= 0.05) break;
    const int g = group_of(f);
    if (std::find(groups.begin(), groups.end(), g) != groups.end()) continue;
    groups.push_back(g);
    std::string r = reason(f, index, change, x, as_of);
    if (!r.empty()) said.push_back(std::move(r));
  }
  if (said.empty()) return "nothing in this change's history stands out";
  return fmt::format("{}", fmt::join(said, "; "));
}

}  // namespace reviewer::history
