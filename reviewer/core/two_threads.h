// Work on a list of items shared by this thread and, for a large enough
// list, one more: the change's files for the diff (reviewer/git) and for the
// safety scan. Each item's result must go to a slot of its own, so that the
// outcome is the one a single thread gives.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <thread>

namespace reviewer {

// Calls work(i, t) once for every i in [0, count), on this thread (t = 0)
// and, when `second` is true and the machine has more than one core, on a
// second one (t = 1); items are claimed in increasing order. After a
// failure no item is claimed any more, and the exception of the smallest
// item that failed is rethrown, the one a single thread going in order
// would have thrown: every smaller item had been claimed before it and
// runs to its end.
template <class Work>
void on_two_threads(std::size_t count, bool second, Work&& work) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  struct Failure {
    std::size_t item = SIZE_MAX;
    std::exception_ptr error;
  };
  auto run = [&](int t, Failure& failure) {
    std::size_t i = SIZE_MAX;
    try {
      while (!failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < count) work(i, t);
    } catch (...) {
      failure = {i, std::current_exception()};
      failed = true;
    }
  };
  Failure mine, theirs;
  if (second && count > 1 && std::thread::hardware_concurrency() > 1) {
    std::jthread helper([&] { run(1, theirs); });
    run(0, mine);
  } else {
    run(0, mine);
  }
  const Failure& first = theirs.error && (!mine.error || theirs.item < mine.item) ? theirs : mine;
  if (first.error) std::rethrow_exception(first.error);
}

}  // namespace reviewer
