// The operator's guidance for a long-running process (`reviewer serve`):
// loaded at start (invalid guidance stops the start with the file:line:col
// message), re-read when a file of its directories changes, and kept at the
// last good version when an edit breaks it, so a typo in production
// guidance neither stops reviews nor loosens them.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "guidance/guidance.h"

namespace reviewer {

// One loaded version: the operator layer's files and the guidance they make
// over the shipped defaults (a repository's own file goes on top per run).
struct GuidanceSnapshot {
  std::vector<std::pair<std::string, std::string>> docs;  // (file name, text), in layer order
  Guidance guidance;
};

// Reads the directories once (no watching): for one-shot commands.
std::shared_ptr<const GuidanceSnapshot> load_guidance_snapshot(const std::vector<std::filesystem::path>& dirs);

class GuidanceWatcher {
 public:
  // Throws reviewer::Error when the guidance is invalid or unreadable.
  explicit GuidanceWatcher(std::vector<std::filesystem::path> dirs,
                           std::chrono::milliseconds check_interval = std::chrono::seconds(2));

  // The newest valid version; looks for changed files at most once per
  // check interval (reading the files to compare). Thread-safe.
  std::shared_ptr<const GuidanceSnapshot> current();

  // Why the newest edit was rejected (empty when the current files load).
  std::string last_error() const;

 private:
  std::string fingerprint() const;

  const std::vector<std::filesystem::path> dirs_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::shared_ptr<const GuidanceSnapshot> current_;
  std::string fingerprint_;  // of the files last tried, good or bad
  std::string error_;
  std::chrono::steady_clock::time_point next_check_;
};

}  // namespace reviewer
