// The memory a pull request's diff may hold, review-wide (DiffOptions::
// max_total_bytes): the per-file caps alone let a tiny repository make a
// huge diff, one blob of newlines under thousands of paths costing a line
// record per byte in every copy. Files are admitted in their order, as one
// thread reading them in turn would: each while its lines and bytes fit
// beside the files before it. The first that does not fit closes the
// budget; it and every later file are not kept. The same change therefore
// always keeps the same files, whichever of two threads read which.
#pragma once

#include <cstddef>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace reviewer::git {

class DiffBudget {
 public:
  DiffBudget(std::size_t items, std::size_t limit) : state_(items, State::reading), cost_(items, 0), limit_(limit) {}

  // Before item i is read: false when it will not be kept whatever it
  // costs, because an item before it closed the budget; the caller then
  // skips reading it and calls done(i, std::nullopt, ...) all the same. While the
  // items done and undecided already hold more than the budget can take,
  // a thread waits here for the earlier item still being read (never the
  // thread reading it: next_ == i), so no more than the budget plus the
  // items being read is held.
  bool worth_reading(std::size_t i) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return closed_ || next_ == i || used_ + pending_ <= limit_; });
    return !closed_;
  }

  // After reading item i failed: whether one thread going in order would
  // have read it at all (waits for the items before it to be decided; the
  // thread holding the item at next_ never waits here or above). A file
  // the budget drops unread cannot fail the diff.
  bool turn_kept(std::size_t i) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return next_ == i; });
    return !closed_;
  }

  // After item i: its cost, or none when it was not read (never kept).
  // Decides every item whose turn has come (those before it all done),
  // calling drop(j) for each one not kept; drop runs under the budget's
  // lock, after item j's reader has finished with it.
  template <class Drop>
  void done(std::size_t i, std::optional<std::size_t> cost, Drop&& drop) {
    std::lock_guard lock(mu_);
    state_[i] = cost ? State::read : State::unread;
    cost_[i] = cost.value_or(0);
    pending_ += cost_[i];
    while (next_ < state_.size() && state_[next_] != State::reading) {
      const std::size_t c = cost_[next_];
      pending_ -= c;
      if (state_[next_] == State::read && !closed_ && used_ + c <= limit_) {
        used_ += c;
      } else {
        closed_ = true;
        drop(next_);
      }
      ++next_;
    }
    cv_.notify_all();
  }

 private:
  enum class State : unsigned char { reading, read, unread };
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<State> state_;
  std::vector<std::size_t> cost_;
  std::size_t limit_;
  std::size_t next_ = 0;     // the first item not decided
  std::size_t used_ = 0;     // what the kept items hold
  std::size_t pending_ = 0;  // what done items after next_ hold, undecided
  bool closed_ = false;
};

}  // namespace reviewer::git
