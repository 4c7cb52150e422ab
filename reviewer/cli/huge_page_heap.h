// Transparent huge pages (2 MB) for the memory tcmalloc takes from the
// system, for every command but the webhook server.
//
// Why: a review and the console's summary build their data once, in a
// fresh process, where every new 4 KB page is a page fault, at 17–37 µs
// each in this VM: ~35,000 for the console's first overview of 100,000
// changes, ~19,000 for a review of 9,800 lines (a sixth of its CPU),
// ~42,000 for an import of 1.36 M lines. With huge pages one fault maps
// 512 of those pages. `serve` runs for weeks and frees as much as it
// takes: it keeps 4 KB pages, which tcmalloc gives back one by one.
//
// How: the kernel gives huge pages to anonymous memory only in ranges
// marked with madvise(MADV_HUGEPAGE) when its mode is `madvise`
// (/sys/kernel/mm/transparent_hugepage/enabled; at `always` every range
// has them, at `never` none does). This reserves `bytes` of address space
// (not memory), marks it, and makes it tcmalloc's system allocator, the
// one it grows its heap from (gperftools' pluggable SysAllocator); past
// that range tcmalloc grows as before.
//
// The range's first `small_bytes` are left to 4 KB pages: a huge page is
// zeroed whole when first touched, and a review of a few thousand lines
// touches a few dozen MB. Measured in session 23 (git.git's last 57
// commits, 9,777 lines, 8 interleaved pairs at load 6.5): with huge pages
// from the first byte, user + sys 1.08 s and 93.2 MB peak (3,300 faults);
// with 4 KB pages only, 1.00 s and 89.3 MB (18,700 faults, 0.06 s of sys:
// faults cost ~3 µs each now, not the 17-37 µs measured when this was
// written). A review's heap past 64 MB (an import) still gets huge pages;
// the audit commands (the console is `audit serve`), measured with
// them from the start, keep that.
//
// Only in the `reviewer` executable (main.cpp: the one linked with
// tcmalloc), called by run_cli before the command's threads start.
#pragma once

#include <cstddef>
#include <string>

namespace reviewer {

// Empty when applied, else why not (the kernel's mode is `never`, the
// malloc is not tcmalloc, mmap or madvise failed). Sets up once per
// process; later calls return the first call's answer.
std::string use_huge_pages_for_heap(std::size_t bytes = std::size_t{1} << 30, std::size_t small_bytes = 0);

}  // namespace reviewer
