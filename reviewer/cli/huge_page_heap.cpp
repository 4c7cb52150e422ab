// Transparent huge pages for tcmalloc's memory, in the `reviewer`
// executable only (it is the one linked with tcmalloc; the tests and
// benches use glibc's malloc). See huge_page_heap.h.
#include "reviewer/cli/huge_page_heap.h"

#include <gperftools/malloc_extension.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <mutex>

#include <fmt/format.h>

namespace reviewer {

namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;

// Hands tcmalloc memory from one range marked for huge pages, in order,
// and asks the allocator it replaced once the range is used up. Never
// freed: tcmalloc does not give system memory back either (it only
// releases pages with madvise, which works here as anywhere).
class HugePageSysAllocator final : public SysAllocator {
 public:
  HugePageSysAllocator(SysAllocator* fallback, std::uintptr_t begin, std::uintptr_t end)
      : fallback_(fallback), next_(begin), end_(end) {}

  void* Alloc(size_t size, size_t* actual_size, size_t alignment) override {
    {
      // A mutex that never allocates; tcmalloc calls this under its own
      // page heap lock already.
      std::lock_guard lock(mu_);
      const std::uintptr_t align = alignment > 1 ? alignment : 1;
      const std::uintptr_t at = (next_ + align - 1) / align * align;
      if (at <= end_ && size <= end_ - at) {
        next_ = at + size;
        if (actual_size) *actual_size = size;
        return reinterpret_cast<void*>(at);
      }
    }
    return fallback_ ? fallback_->Alloc(size, actual_size, alignment) : nullptr;
  }

 private:
  SysAllocator* fallback_;
  std::mutex mu_;
  std::uintptr_t next_, end_;
};

std::string thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string set_up(std::size_t bytes, std::size_t small_bytes) {
  if (thp_mode().find("[never]") != std::string::npos) return "the kernel's transparent huge pages are off (never)";
  SysAllocator* current = MallocExtension::instance()->GetSystemAllocator();
  if (!current) return "the allocator takes no system allocator (not tcmalloc)";
  // Address space only: a page is backed when first touched.
  const std::size_t reserve = bytes + kHugePage;
  void* raw = mmap(nullptr, reserve, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return fmt::format("mmap of {} MB: {}", reserve >> 20, std::strerror(errno));
  const auto begin = (reinterpret_cast<std::uintptr_t>(raw) + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = begin + (bytes & ~(kHugePage - 1));
  const auto huge = std::min(end, begin + (small_bytes & ~(kHugePage - 1)));
  if (huge < end && madvise(reinterpret_cast<void*>(huge), end - huge, MADV_HUGEPAGE) != 0) {
    const std::string why = fmt::format("madvise(MADV_HUGEPAGE): {}", std::strerror(errno));
    munmap(raw, reserve);
    return why;
  }
  MallocExtension::instance()->SetSystemAllocator(new HugePageSysAllocator(current, begin, end));
  return {};
}

}  // namespace

std::string use_huge_pages_for_heap(std::size_t bytes, std::size_t small_bytes) {
  // Once per process: a second range would be reserved and never used.
  static const std::string why_not = set_up(bytes, small_bytes);
  return why_not;
}

}  // namespace reviewer
