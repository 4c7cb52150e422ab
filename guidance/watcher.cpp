#include "guidance/watcher.h"


#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/sha256.h"

namespace reviewer {

GuidanceWatcher::GuidanceWatcher(std::vector<std::filesystem::path> dirs, std::chrono::milliseconds check_interval)
    : dirs_(std::move(dirs)), interval_(check_interval) {
  fingerprint_ = fingerprint();
  current_ = load_guidance_snapshot(dirs_);
  next_check_ = std::chrono::steady_clock::now() + interval_;
}

std::shared_ptr<const GuidanceSnapshot> load_guidance_snapshot(const std::vector<std::filesystem::path>& dirs) {
  auto snap = std::make_shared<GuidanceSnapshot>();
  for (const auto& dir : dirs) {
    auto more = read_guidance_dir(dir);
    snap->docs.insert(snap->docs.end(), more.begin(), more.end());
  }
  snap->guidance = load_guidance_texts(snap->docs);
  return snap;
}

// A hash of every guidance file's name and bytes: any edit, addition or
// removal changes it (timestamps can miss two edits within one tick).
std::string GuidanceWatcher::fingerprint() const {
  std::string all;
  for (const auto& dir : dirs_) {
    try {
      for (const auto& [name, text] : read_guidance_dir(dir)) {
        all += fmt::format("{}:{}{}:{}", name.size(), name, text.size(), text);  // length-prefixed: unambiguous
      }
    } catch (const Error& e) {
      all += e.what();
    }
  }
  return sha256_hex(all);
}

std::shared_ptr<const GuidanceSnapshot> GuidanceWatcher::current() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return current_;
  next_check_ = now + interval_;
  std::string fp = fingerprint();
  if (fp == fingerprint_) return current_;
  fingerprint_ = std::move(fp);
  try {
    current_ = load_guidance_snapshot(dirs_);
    error_.clear();
  } catch (const Error& e) {
    error_ = fmt::format("guidance edit rejected, still using version {}: {}", current_->guidance.version.substr(0, 12),
                         e.what());
  }
  return current_;
}

std::string GuidanceWatcher::last_error() const {
  std::lock_guard lock(mu_);
  return error_;
}

}  // namespace reviewer
