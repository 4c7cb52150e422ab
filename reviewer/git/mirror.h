// A bare mirror of one GitHub repository under the data directory, fetched
// incrementally with libgit2: the PR's base branch and refs/pull/N/head
// (which works for PRs from forks). HTTPS fetches authenticate through
// libgit2's credential callback (never a token in the URL); file:// URLs and
// local paths serve the tests. Each fetch has a time and a size limit, and
// an exclusive lock (flock on "<mirror>.lock") keeps concurrent jobs, in this
// process or another, from writing the same mirror at once.
//
// libgit2 1.5 has no shallow fetch and no socket timeout: the time limit is
// checked whenever data arrives, so a server that stalls completely is only
// noticed when the connection drops.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace reviewer::git {

struct FetchOptions {
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
  std::size_t max_bytes = std::size_t{2} << 30;       // received pack bytes
  std::chrono::milliseconds lock_timeout{std::chrono::minutes(2)};
  // HTTPS credentials: user "x-access-token" and the installation token
  // (asked for lazily, only when the server wants credentials).
  std::string username = "x-access-token";
  std::function<std::string()> password;
};

struct FetchResult {
  std::string base_sha;         // refs/heads/<base> after the fetch
  std::string head_sha;         // refs/pull/<n>/head after the fetch
  std::size_t received_bytes = 0;
  std::size_t received_objects = 0;
  bool first_fetch = false;     // the mirror was created by this fetch
};

class Mirror {
 public:
  // The mirror of `full_name` ("owner/name", validated: no "..", no
  // slashes beyond the one, only [A-Za-z0-9._-]) at
  // <data_dir>/mirrors/<owner>/<name>.git, fetched from `url`. Nothing is
  // created until the first fetch.
  Mirror(const std::filesystem::path& data_dir, const std::string& full_name, std::string url);

  // Fetches the base branch and the PR head under the mirror's lock.
  // Throws reviewer::Error (timeout for the time limit and the lock) naming
  // the repository; the message never contains the token.
  FetchResult fetch_pull(const std::string& base_branch, std::int64_t number, const FetchOptions& options);

  // Fetches arbitrary refspecs ("+refs/heads/x:refs/heads/x") under the lock.
  FetchResult fetch(const std::vector<std::string>& refspecs, const FetchOptions& options);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::string name_;
  std::string url_;
};

// An exclusive flock on a file, held for the object's lifetime. Waits up to
// `timeout`, then throws reviewer::Error (code timeout).
class FileLock {
 public:
  FileLock(const std::filesystem::path& file, std::chrono::milliseconds timeout);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace reviewer::git
