#include "reviewer/git/history/index_cache.h"

namespace reviewer::history {

IndexCache::List::iterator IndexCache::locate(const std::string& key) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) return it;
  }
  return entries_.end();
}

IndexCache::Entry IndexCache::find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = locate(key);
  if (it == entries_.end()) return {};
  entries_.splice(entries_.begin(), entries_, it);
  return it->second;
}

IndexCache::Entry IndexCache::take(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  const auto it = locate(key);
  if (it == entries_.end()) return {};
  if (!it->second.index) return it->second;
  Entry e = std::move(it->second);
  entries_.erase(it);
  return e;
}

void IndexCache::insert(const std::string& key, Entry e) {
  if (const auto it = locate(key); it != entries_.end()) entries_.erase(it);
  entries_.emplace_front(key, std::move(e));
  if (entries_.size() > kEntries) entries_.pop_back();
}

void IndexCache::put(const std::string& key, Entry e) {
  std::lock_guard<std::mutex> lock(mu_);
  insert(key, std::move(e));
}

void IndexCache::put_view(const std::string& key, std::shared_ptr<const FlatIndex> flat) {
  const FileStamp stamp = flat->stamp();
  std::lock_guard<std::mutex> lock(mu_);
  // A whole index stays: read from or saved as this version, it has all of
  // it; at another version, this view may be the older one (read before
  // an update's save), and the next update compares stamps anyway.
  if (const auto it = locate(key); it != entries_.end() && it->second.index) return;
  insert(key, {nullptr, std::move(flat), stamp, 0});
}

void IndexCache::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
}

IndexCache& index_cache() {
  static IndexCache cache;
  return cache;
}

}  // namespace reviewer::history
