// The overview's rows by (filter, chain head). The log only grows, and
// every append moves the head, so the rows read for a filter stay right
// until a row is appended: an auditor clicking around a quiet log pays
// for the overview's queries once.
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "audit/console_queries.h"

namespace reviewer::console {

class OverviewCache {
 public:
  // Keeps the `capacity` entries used last; 0 keeps none.
  explicit OverviewCache(std::size_t capacity) : capacity_(capacity) {}
  std::optional<audit::OverviewRows> find(const std::string& key);
  void put(const std::string& key, const audit::OverviewRows& rows);

 private:
  std::size_t capacity_;
  std::mutex mu_;
  std::list<std::pair<std::string, audit::OverviewRows>> entries_;  // most recently used first
};

}  // namespace reviewer::console
