#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "reviewer/core/two_threads.h"

using namespace reviewer;

TEST_SUITE("core::two threads") {
  TEST_CASE("every item runs once, on both threads when asked") {
    for (bool second : {false, true}) {
      std::vector<std::atomic<int>> runs(1000);
      std::atomic<int> on_second{0};
      on_two_threads(runs.size(), second, [&](std::size_t i, int t) {
        runs[i].fetch_add(1);
        if (t == 1) on_second.fetch_add(1);
        // Long enough that the second thread starts before the list ends.
        if (i % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      });
      for (auto& r : runs) CHECK(r.load() == 1);
      if (!second || std::thread::hardware_concurrency() < 2) {
        CHECK(on_second.load() == 0);
      } else {
        CHECK(on_second.load() > 0);
      }
    }
  }

  TEST_CASE("the error thrown is the smallest failed item's, as one thread going in order throws") {
    // Item 3 fails late, item 4 at once: a second thread meets item 4's
    // failure first, yet item 3's error is the one thrown.
    for (int round = 0; round < 20; ++round) {
      std::string thrown;
      try {
        on_two_threads(50, true, [&](std::size_t i, int) {
          if (i == 3) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            throw std::runtime_error("item 3");
          }
          if (i == 4 || i == 20) throw std::runtime_error("item " + std::to_string(i));
        });
      } catch (const std::runtime_error& e) {
        thrown = e.what();
      }
      CHECK(thrown == "item 3");
    }
  }

  TEST_CASE("after a failure no further item is claimed") {
    std::atomic<std::size_t> highest{0};
    CHECK_THROWS_AS(on_two_threads(100000, true,
                                   [&](std::size_t i, int) {
                                     std::size_t h = highest.load();
                                     while (i > h && !highest.compare_exchange_weak(h, i)) {
                                     }
                                     if (i == 10) throw std::runtime_error("stop");
                                   }),
                    std::runtime_error);
    CHECK(highest.load() < 100000 - 1);
  }
}
