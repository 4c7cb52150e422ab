#include "reviewer/git/mirror.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/git/handles.h"

namespace reviewer::git {
namespace {

using Clock = std::chrono::steady_clock;
using RemotePtr = std::unique_ptr<git_remote, Deleter<git_remote_free>>;

bool valid_segment(const std::string& s) {
  if (s.empty() || s.size() > 100 || s == "." || s == ".." || s.front() == '.') return false;
  return s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
         std::string::npos;
}

struct FetchState {
  const FetchOptions* options = nullptr;
  Clock::time_point deadline{};
  std::size_t bytes = 0, objects = 0;
  int credential_calls = 0;
  std::string abort_reason;
};

int on_progress(const git_indexer_progress* stats, void* payload) {
  auto* st = static_cast<FetchState*>(payload);
  st->bytes = stats->received_bytes;
  st->objects = stats->received_objects;
  if (stats->received_bytes > st->options->max_bytes) {
    st->abort_reason = fmt::format("the fetch exceeded {} bytes", st->options->max_bytes);
    return -1;
  }
  if (Clock::now() > st->deadline) {
    st->abort_reason = fmt::format("the fetch took longer than {} s", st->options->timeout.count() / 1000.0);
    return -1;
  }
  return 0;
}

int on_sideband(const char*, int, void* payload) {
  auto* st = static_cast<FetchState*>(payload);
  if (Clock::now() > st->deadline) {
    st->abort_reason = fmt::format("the fetch took longer than {} s", st->options->timeout.count() / 1000.0);
    return -1;
  }
  return 0;
}

int on_credentials(git_credential** out, const char*, const char*, unsigned int allowed, void* payload) {
  auto* st = static_cast<FetchState*>(payload);
  // libgit2 asks again after every rejection: one try, then give up.
  if (!st->options->password || !(allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) || ++st->credential_calls > 1) {
    st->abort_reason = "the server rejected the credentials (or none were configured)";
    return GIT_EUSER;
  }
  std::string password;
  try {
    password = st->options->password();
  } catch (const std::exception& e) {
    st->abort_reason = std::string("no token for the fetch: ") + e.what();
    return GIT_EUSER;
  }
  int rc = git_credential_userpass_plaintext_new(out, st->options->username.c_str(), password.c_str());
  std::fill(password.begin(), password.end(), '\0');
  return rc;
}

std::string ref_sha(git_repository* repo, const std::string& ref) {
  git_oid oid;
  if (git_reference_name_to_id(&oid, repo, ref.c_str()) != 0) return {};
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

}  // namespace

FileLock::FileLock(const std::filesystem::path& file, std::chrono::milliseconds timeout) {
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    throw Error(Error::Code::io, fmt::format("cannot open lock file '{}': {}", file.string(), std::strerror(errno)));
  }
  auto deadline = Clock::now() + timeout;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd_);
      throw Error(Error::Code::io, fmt::format("cannot lock '{}': {}", file.string(), std::strerror(err)));
    }
    if (Clock::now() > deadline) {
      ::close(fd_);
      throw Error(Error::Code::timeout, fmt::format("'{}' stayed locked by another job for {} ms", file.string(),
                                                    timeout.count()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Mirror::Mirror(const std::filesystem::path& data_dir, const std::string& full_name, std::string url)
    : name_(full_name), url_(std::move(url)) {
  auto slash = full_name.find('/');
  std::string owner = slash == std::string::npos ? "" : full_name.substr(0, slash);
  std::string repo = slash == std::string::npos ? "" : full_name.substr(slash + 1);
  if (!valid_segment(owner) || !valid_segment(repo)) {
    throw Error(Error::Code::invalid_input,
                fmt::format("'{}' is not a repository name of the form owner/name", full_name));
  }
  path_ = data_dir / "mirrors" / owner / (repo + ".git");
}

FetchResult Mirror::fetch_pull(const std::string& base_branch, std::int64_t number, const FetchOptions& options) {
  int valid = 0;
  std::string base_ref = "refs/heads/" + base_branch;
  if (git_reference_name_is_valid(&valid, base_ref.c_str()) != 0 || !valid || number <= 0) {
    throw Error(Error::Code::invalid_input,
                fmt::format("{}: cannot fetch base branch '{}' of pull request {}", name_, base_branch, number));
  }
  std::string pull_ref = fmt::format("refs/pull/{}/head", number);
  FetchResult r = fetch({"+" + base_ref + ":" + base_ref, "+" + pull_ref + ":" + pull_ref}, options);
  RepositoryPtr repo;
  {
    git_repository* raw = nullptr;
    check(git_repository_open_bare(&raw, path_.c_str()), "open the mirror");
    repo.reset(raw);
  }
  r.base_sha = ref_sha(repo.get(), base_ref);
  r.head_sha = ref_sha(repo.get(), pull_ref);
  if (r.base_sha.empty() || r.head_sha.empty()) {
    throw Error(Error::Code::invalid_input,
                fmt::format("{}: the fetch did not bring {}", name_, r.base_sha.empty() ? base_ref : pull_ref));
  }
  return r;
}

FetchResult Mirror::fetch(const std::vector<std::string>& refspecs, const FetchOptions& options) {
  std::error_code ec;
  create_private_directories(path_.parent_path());
  FileLock lock(path_.string() + ".lock", options.lock_timeout);

  FetchResult result;
  RepositoryPtr repo;
  git_repository* raw = nullptr;
  if (git_repository_open_bare(&raw, path_.c_str()) == 0) {
    repo.reset(raw);
  } else {
    // First fetch (or a half-created mirror from a crash): start afresh.
    std::filesystem::remove_all(path_, ec);
    check(git_repository_init(&raw, path_.c_str(), 1), "create the mirror");
    repo.reset(raw);
    // Private code: libgit2 creates folders 0777 minus the umask.
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    result.first_fetch = true;
  }

  // An anonymous remote: the URL is not written to the mirror's config.
  git_remote* rraw = nullptr;
  check(git_remote_create_anonymous(&rraw, repo.get(), url_.c_str()), "set up the fetch");
  RemotePtr remote(rraw);

  FetchState st;
  st.options = &options;
  st.deadline = Clock::now() + options.timeout;
  git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
  fo.callbacks.transfer_progress = on_progress;
  fo.callbacks.sideband_progress = on_sideband;
  fo.callbacks.credentials = on_credentials;
  fo.callbacks.payload = &st;
  fo.prune = GIT_FETCH_NO_PRUNE;
  fo.update_fetchhead = 0;
  fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;

  std::vector<const char*> specs;
  for (const auto& s : refspecs) specs.push_back(s.c_str());
  git_strarray arr{const_cast<char**>(specs.data()), specs.size()};
  int rc = git_remote_fetch(remote.get(), &arr, &fo, "reviewer: fetch");
  if (rc != 0) {
    const git_error* e = git_error_last();
    std::string why = !st.abort_reason.empty() ? st.abort_reason
                                               : (e && e->message ? e->message : "unknown libgit2 error");
    bool timed_out = st.abort_reason.find("longer than") != std::string::npos;
    // The network or the remote: worth another try later.
    throw Error(timed_out ? Error::Code::timeout : Error::Code::io,
                fmt::format("cannot fetch {} into its mirror: {}", name_, why), Error::Retry::transient);
  }
  const git_indexer_progress* stats = git_remote_stats(remote.get());
  result.received_bytes = stats ? stats->received_bytes : st.bytes;
  result.received_objects = stats ? stats->received_objects : st.objects;
  return result;
}

}  // namespace reviewer::git
