#include "storage/pg_pool.h"

#include <algorithm>

namespace reviewer::storage {

PgPool::Lease::~Lease() {
  if (pool_ && c_) pool_->give_back(std::move(c_));
}

PgPool::PgPool(std::string url, std::string label, std::size_t size)
    : url_(std::move(url)), label_(std::move(label)), size_(std::max<std::size_t>(1, size)) {}

PgPool::Lease PgPool::acquire() {
  std::unique_ptr<PgConnection> c;
  {
    std::unique_lock lock(mu_);
    returned_.wait(lock, [this] { return !idle_.empty() || out_ < size_; });
    ++out_;
    if (!idle_.empty()) {
      c = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  try {
    // Opened outside the lock: a slow or unreachable server must not
    // hold up callers returning connections.
    if (!c || !c->alive()) c = std::make_unique<PgConnection>(PgConnection::open(url_, label_));
  } catch (...) {
    std::lock_guard lock(mu_);
    --out_;
    returned_.notify_one();
    throw;
  }
  return Lease(*this, std::move(c));
}

void PgPool::give_back(std::unique_ptr<PgConnection> c) {
  std::lock_guard lock(mu_);
  --out_;
  if (c->alive()) idle_.push_back(std::move(c));  // a dead one is reopened by the next acquire
  returned_.notify_one();
}

}  // namespace reviewer::storage
