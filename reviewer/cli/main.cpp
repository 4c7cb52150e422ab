#include "reviewer/cli/cli.h"

#ifdef REVIEWER_TCMALLOC
#include <gperftools/malloc_extension.h>

#include "reviewer/cli/huge_page_heap.h"
#include "reviewer/core/memory_release.h"
#endif

int main(int argc, char** argv) {
#ifdef REVIEWER_TCMALLOC
  reviewer::set_heap_setup([](std::string_view command) {
    // A review's agents run on five threads and each thread's cache of
    // freed objects grows up to the 32 MB shared by all: ~5 MB of them at
    // the real case's peak. 2 MB in all: 93.0 against 94.8 MB there (3 runs
    // each, load ~24, the same CPU); bench/README.md, round 19.
    if (command == "review") {
      MallocExtension::instance()->SetNumericProperty("tcmalloc.max_total_thread_cache_bytes", std::size_t{2} << 20);
    }
    return reviewer::use_huge_pages_for_heap(std::size_t{1} << 30, command == "audit" ? 0 : std::size_t{64} << 20);
  });
  reviewer::set_memory_releaser([] { MallocExtension::instance()->ReleaseFreeMemory(); });
#endif
  return reviewer::run_cli(argc, argv);
}
