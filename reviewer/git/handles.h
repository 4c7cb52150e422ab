// Owning handles for libgit2 objects: a unique_ptr whose stateless deleter is
// the library's free function, so each handle stays one pointer wide.
#pragma once

#include <memory>
#include <string>

#include <git2.h>

namespace reviewer::git {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const { Free(p); }
};

using RepositoryPtr = std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob_free>>;
using DiffPtr = std::unique_ptr<git_diff, Deleter<git_diff_free>>;
using PatchPtr = std::unique_ptr<git_patch, Deleter<git_patch_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object_free>>;
using IndexPtr = std::unique_ptr<git_index, Deleter<git_index_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature_free>>;
using TreeBuilderPtr = std::unique_ptr<git_treebuilder, Deleter<git_treebuilder_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk_free>>;
using TreeEntryPtr = std::unique_ptr<git_tree_entry, Deleter<git_tree_entry_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb_free>>;
using AttrSessionRepo = RepositoryPtr;

// libgit2's global state: one instance lives in main() (and in the test
// runner) for the life of the process. Nesting is allowed.
//
// It turns off libgit2's re-hashing of every object read (on by default):
// git itself does not do it, it costs a quarter of diff extraction, and
// storage corruption is still caught by zlib's checksum.
class Library {
 public:
  Library() {
    git_libgit2_init();
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
  }
  ~Library() { git_libgit2_shutdown(); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

// Throws reviewer::Error with libgit2's last error message when rc < 0.
// `what` says what was being done, e.g. "resolve 'main'". The message is
// one line (libgit2's newlines become spaces).
void check(int rc, const char* what);
void check(int rc, const std::string& what);

// libgit2's last error message as one line ("unknown libgit2 error" if none).
std::string last_error_message();

}  // namespace reviewer::git
