#include "reviewer/cli/cli.h"

#ifdef REVIEWER_TCMALLOC
#include "reviewer/cli/huge_page_heap.h"
#endif

int main(int argc, char** argv) {
#ifdef REVIEWER_TCMALLOC
  reviewer::set_heap_setup([] { return reviewer::use_huge_pages_for_heap(); });
#endif
  return reviewer::run_cli(argc, argv);
}
