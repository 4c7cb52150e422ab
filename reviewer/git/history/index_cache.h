// The history indexes this process keeps between reviews (serve reviews a
// few repositories in turn), one entry per index file, in either form:
// - the whole index after an update: the next update adds the new commits
//   to it instead of reading the file, and rewrites the file only every
//   `save_every` commits;
// - the file read in place for a review whose base it has (a CLI review
//   opens the index twice: the refresh after the diff, then the agent);
//   an update then reads only the sections the review did not.
// An update replaces its repository's entry, so no view it made stale is
// kept. Internal to history_index.cpp. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "reviewer/git/history/flat_index.h"
#include "reviewer/git/history/history_index.h"

namespace reviewer::history {

class IndexCache {
 public:
  struct Entry {
    std::shared_ptr<HistoryIndex> index;      // the whole index, or
    std::shared_ptr<const FlatIndex> flat;    // the file read in place
    FileStamp stamp;                          // the version of the file it was read from or saved as
    std::size_t saved = 0;                    // commits of `index` in that version
  };

  // The entry of the file `key` (empty when none), now the most recently
  // used.
  Entry find(const std::string& key);
  // The entry of `key` for an update: a whole index is taken out while
  // the update works on it (the file lock keeps other updates of the same
  // index waiting); a view stays for the reviews meanwhile, and a copy is
  // returned.
  Entry take(const std::string& key);
  // `e` becomes the entry of `key`; past kEntries, the least recently used
  // is dropped.
  void put(const std::string& key, Entry e);
  // Keeps `flat` as the entry of `key`, unless the entry is a whole index
  // (of that version of the file, or of another: a view read before an
  // update saved may be older than the index it would replace).
  void put_view(const std::string& key, std::shared_ptr<const FlatIndex> flat);
  void clear();

  static constexpr std::size_t kEntries = 4;

 private:
  using List = std::list<std::pair<std::string, Entry>>;
  // With mu_ held: the entry of `key` (entries_.end() when none); `e` put
  // first as the entry of `key`, the last dropped past kEntries.
  List::iterator locate(const std::string& key);
  void insert(const std::string& key, Entry e);

  std::mutex mu_;
  List entries_;  // most recently used first
};

IndexCache& index_cache();

}  // namespace reviewer::history
