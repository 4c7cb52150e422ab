// The console's heap in huge pages (reviewer/console/huge_heap.h): after
// prefer_huge_page_heap(), new blocks malloc gives, on this thread or
// another, lie in a range the kernel marks for huge pages (VmFlags "hg" in
// /proc/self/smaps). Whether it then backs them with 2 MB pages is the
// kernel's choice (free memory, fragmentation), reported, not required.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "reviewer/console/huge_heap.h"

namespace reviewer::console {

namespace {

// The VmFlags and AnonHugePages lines of the mapping holding `p`.
std::pair<std::string, std::string> mapping_of(const void* p) {
  std::ifstream in("/proc/self/smaps");
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  bool inside = false;
  std::string flags, huge;
  for (std::string line; std::getline(in, line);) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = at >= lo && at < hi;
      continue;
    }
    if (!inside) continue;
    if (line.starts_with("VmFlags:")) flags = line;
    if (line.starts_with("AnonHugePages:")) huge = line;
  }
  return {flags, huge};
}

bool marked_huge(const std::string& vm_flags) { return (vm_flags + " ").find(" hg ") != std::string::npos; }

}  // namespace

TEST_CASE("the console's heap: blocks from every thread in a range marked for huge pages") {
  std::ifstream mode_file("/sys/kernel/mm/transparent_hugepage/enabled");
  const std::string mode{std::istreambuf_iterator<char>(mode_file), std::istreambuf_iterator<char>()};
  const auto heap = prefer_huge_page_heap(std::size_t{64} << 20);
  if (mode.empty() || mode.find("[never]") != std::string::npos) {
    CHECK_FALSE(heap.applied);
    CHECK_FALSE(heap.why_not.empty());
    return;
  }
  REQUIRE_MESSAGE(heap.applied, heap.why_not);
  CHECK(heap.bytes >= (std::size_t{62} << 20));
  CHECK(heap.why_not.empty());

  // Blocks first come from space the heap already had (freed blocks, the
  // rest of its top); past that, from the marked range: 32 MB of small
  // blocks, some from another thread (which would have had an arena of its
  // own), then a large one (above glibc's default mmap threshold, which
  // would have had a mapping of its own).
  std::vector<void*> blocks;
  for (int i = 0; i < 512; ++i) blocks.push_back(std::malloc(64 * 1024));
  std::vector<void*> other;
  std::thread([&] {
    for (int i = 0; i < 64; ++i) other.push_back(std::malloc(64 * 1024));
  }).join();
  char* large = static_cast<char*>(std::malloc(std::size_t{8} << 20));
  REQUIRE(large);
  std::memset(large, 1, std::size_t{8} << 20);
  for (const void* p : {blocks.back(), other.back(), static_cast<void*>(large)}) {
    REQUIRE(p);
    const auto [flags, huge] = mapping_of(p);
    INFO(flags);
    CHECK(marked_huge(flags));
  }
  MESSAGE("the 8 MB block's mapping: ", mapping_of(large).second);
  std::free(large);
  for (auto* p : other) std::free(p);
  for (auto* p : blocks) std::free(p);
}

}  // namespace reviewer::console
