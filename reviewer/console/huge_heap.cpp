#include "reviewer/console/huge_heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

#include <fmt/format.h>

namespace reviewer::console {

namespace {

constexpr std::uintptr_t kHugePage = std::uintptr_t{2} << 20;
// glibc's largest mmap threshold on 64-bit systems (HEAP_MAX_SIZE / 2):
// blocks below it come from the heap once the threshold is fixed.
constexpr int kMmapThreshold = 32 << 20;
constexpr int kDefaultTopPad = 128 * 1024;  // glibc's M_TOP_PAD default

std::string thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

HugeHeap prefer_huge_page_heap(std::size_t bytes) {
  HugeHeap out;
  if (thp_mode().find("[never]") != std::string::npos) {
    out.why_not = "the kernel's transparent huge pages are off (never)";
    return out;
  }
  // mallopt takes an int: at most 512 MB of address space (twice that is
  // the trim threshold). `pad` leaves room to align the range to 2 MB.
  bytes = std::min<std::size_t>(bytes, std::size_t{512} << 20);
  const auto want = static_cast<std::ptrdiff_t>(bytes);
  const auto pad = static_cast<int>(bytes + kHugePage);
  mallopt(M_ARENA_MAX, 1);                  // every thread allocates from the main heap (the marked one)
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);  // large blocks from the heap too, not an mmap each
  mallopt(M_TRIM_THRESHOLD, 2 * pad);         // keep the range once grown
  // The next growth of the heap asks the system for `pad` more than it
  // needs: one sbrk, one range. Blocks larger than what is left at the top
  // make it grow; a few suffice (the first is enough unless freed space
  // lower in the heap takes the others).
  mallopt(M_TOP_PAD, pad);
  char* const start = static_cast<char*>(sbrk(0));
  std::array<void*, 64> probes{};
  std::size_t n = 0;
  bool grew = start != reinterpret_cast<char*>(-1);  // so far: sbrk answers, malloc gives
  while (grew && n < probes.size() && static_cast<char*>(sbrk(0)) - start < want) {
    probes[n] = malloc(256 * 1024);
    if (!probes[n++]) grew = false;
  }
  char* const end = static_cast<char*>(sbrk(0));
  mallopt(M_TOP_PAD, kDefaultTopPad);
  for (std::size_t i = 0; i < n; ++i) free(probes[i]);
  // Less: brk could not grow (glibc then maps the main heap elsewhere in
  // pieces), so the range is not where the blocks will come from.
  if (!grew || end - start < want) {
    out.why_not = "the malloc heap did not grow in one range";
    return out;
  }
  const auto first = (reinterpret_cast<std::uintptr_t>(start) + kHugePage - 1) & ~(kHugePage - 1);
  const auto last = reinterpret_cast<std::uintptr_t>(end) & ~(kHugePage - 1);
  if (madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE) != 0) {
    out.why_not = fmt::format("madvise(MADV_HUGEPAGE): {}", std::strerror(errno));
    return out;
  }
  out.applied = true;
  out.bytes = last - first;
  return out;
}

}  // namespace reviewer::console
