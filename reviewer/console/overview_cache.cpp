#include "reviewer/console/overview_cache.h"

namespace reviewer::console {

std::optional<audit::OverviewRows> OverviewCache::find(const std::string& key) {
  std::lock_guard lock(mu_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first != key) continue;
    entries_.splice(entries_.begin(), entries_, it);
    return entries_.front().second;
  }
  return std::nullopt;
}

void OverviewCache::put(const std::string& key, const audit::OverviewRows& rows) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mu_);
  entries_.emplace_front(key, rows);
  while (entries_.size() > capacity_) entries_.pop_back();
}

}  // namespace reviewer::console
