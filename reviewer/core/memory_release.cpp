#include "reviewer/core/memory_release.h"

#include <atomic>

namespace reviewer {
namespace {
std::atomic<void (*)()> releaser{nullptr};
}  // namespace

void set_memory_releaser(void (*release)()) { releaser.store(release); }

void release_free_memory() {
  if (auto r = releaser.load()) r();
}

}  // namespace reviewer
