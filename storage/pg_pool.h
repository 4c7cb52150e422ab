// A fixed-size pool of PostgreSQL connections to one server, for callers
// that run transactions in parallel (the queue's intake writers). A
// connection is opened on first need and again when the server dropped it;
// a caller holds it for one transaction through a PgPool::Lease.
//
// Thread-safety: acquire() and the leases' destructors may be called from
// any thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "storage/postgres.h"

namespace reviewer::storage {

class PgPool {
 public:
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> c) : pool_(&pool), c_(std::move(c)) {}
    ~Lease();
    Lease(Lease&& o) noexcept = default;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    PgConnection& operator*() const { return *c_; }
    PgConnection* operator->() const { return c_.get(); }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> c_;
  };

  // `size` connections at most, each opened with PgConnection::open(url, label).
  PgPool(std::string url, std::string label, std::size_t size);
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A live connection: an idle one, a new one while fewer than `size` are
  // open, else the next one returned. Throws what PgConnection::open throws
  // when the server cannot be reached (the pool stays usable).
  Lease acquire();
  std::size_t size() const { return size_; }

 private:
  void give_back(std::unique_ptr<PgConnection> c);
  const std::string url_, label_;
  const std::size_t size_;
  std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t out_ = 0;  // leased or being opened
};

}  // namespace reviewer::storage
