#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include <git2.h>

#include "reviewer/git/file_patch.h"
#include "support/testutil.h"

using namespace reviewer;

namespace {

// Every field a line diff fills, and the file's buffer byte for byte.
void check_same(const FileDiff& fast, const FileDiff& slow) {
  CHECK(fast.additions == slow.additions);
  CHECK(fast.deletions == slow.deletions);
  CHECK(bool(fast.text) == bool(slow.text));
  if (fast.text && slow.text) CHECK(*fast.text == *slow.text);
  REQUIRE(fast.hunks.size() == slow.hunks.size());
  for (std::size_t h = 0; h < fast.hunks.size(); ++h) {
    const Hunk& a = fast.hunks[h];
    const Hunk& b = slow.hunks[h];
    CHECK(a.old_start == b.old_start);
    CHECK(a.old_lines == b.old_lines);
    CHECK(a.new_start == b.new_start);
    CHECK(a.new_lines == b.new_lines);
    CHECK(a.header == b.header);
    REQUIRE(a.lines.size() == b.lines.size());
    for (std::size_t i = 0; i < a.lines.size(); ++i) {
      CAPTURE(i);
      CHECK(a.lines[i].origin == b.lines[i].origin);
      CHECK(a.lines[i].crlf == b.lines[i].crlf);
      CHECK(a.lines[i].no_newline_at_eof == b.lines[i].no_newline_at_eof);
      CHECK(a.lines[i].old_line == b.lines[i].old_line);
      CHECK(a.lines[i].new_line == b.lines[i].new_line);
      CHECK(a.lines[i].content == b.lines[i].content);
    }
  }
}

// one_sided_text against git_diff_buffers with nothing on the other side,
// for an added and for a deleted file.
void check_both_sides(const std::string& text, std::size_t keep_bytes) {
  CAPTURE(text);
  CAPTURE(keep_bytes);
  {
    FileDiff fast, slow;
    // The caller's text is gone once the file is filled: the lines must
    // view the file's own buffer.
    auto owned = std::make_unique<std::string>(text);
    git::one_sided_text(*owned, keep_bytes, LineOrigin::added, fast);
    git::PatchLimits limits;
    limits.new_keep_bytes = keep_bytes;
    REQUIRE(git::diff_text({}, text, limits, slow) == 0);
    owned->assign(owned->size(), '#');
    check_same(fast, slow);
  }
  {
    FileDiff fast, slow;
    auto owned = std::make_unique<std::string>(text);
    git::one_sided_text(*owned, keep_bytes, LineOrigin::deleted, fast);
    git::PatchLimits limits;
    limits.old_keep_bytes = keep_bytes;
    REQUIRE(git::diff_text(text, {}, limits, slow) == 0);
    owned->assign(owned->size(), '#');
    check_same(fast, slow);
  }
}

}  // namespace

TEST_SUITE("git::one_sided_text") {
  TEST_CASE("the owner's bytes are the file's buffer when they are laid out as one, else a copy") {
    for (const std::string t : {"a\nb\n", "a\nb", "a\r\nb\r\n", "one line\n"}) {
      CAPTURE(t);
      auto owner = std::make_shared<std::string>(t);
      const char* const at = owner->data();
      FileDiff fast, slow;
      git::one_sided_text(*owner, SIZE_MAX, LineOrigin::added, fast, owner);
      const bool in_place = t.back() == '\n' && t.find('\r') == std::string::npos;
      CHECK((fast.text->data() == at) == in_place);
      CHECK(owner.use_count() == (in_place ? 2 : 1));  // held by the file only when its bytes are used
      owner.reset();  // the file keeps what it views
      REQUIRE(git::diff_text({}, t, {}, slow) == 0);
      check_same(fast, slow);
    }
  }

  TEST_CASE("a file on one side only is filled as a line diff against nothing fills it") {
    const char* const texts[] = {"",          "a",         "a\n",        "a\nb\n",       "\n",
                                 "\n\n\n",    "a\r\nb\r\n", "a\r\nb",     "x\r",          "a\rb\n",
                                 "a\r\nb\nc", "\r\n",      "\r\r\n\r",   "last line\n\n", "one\ntwo\nthree"};
    for (const char* t : texts) check_both_sides(t, SIZE_MAX);
    check_both_sides(std::string("nul\0inside\n", 11), SIZE_MAX);
  }

  TEST_CASE("over the side's cap the complete lines within it are kept and every line is counted") {
    const std::string text = "alpha\nbeta\ngamma\n";
    for (std::size_t cap : {std::size_t{0}, std::size_t{3}, std::size_t{6}, text.size() - 1, text.size(),
                            text.size() + 1}) {
      check_both_sides(text, cap);
      check_both_sides("alpha\nbeta", cap);
    }
  }

  TEST_CASE("generated texts of every kind of line ending give the same lines") {
    std::mt19937 rng(22);
    const char alphabet[] = {'a', 'b', ' ', '\t', '\n', '\n', '\r', '\0', '\xff', '}'};
    for (int round = 0; round < 300; ++round) {
      std::string text(rng() % 200, ' ');
      for (char& c : text) c = alphabet[rng() % sizeof alphabet];
      check_both_sides(text, round % 3 == 0 ? rng() % 220 : SIZE_MAX);
    }
  }

  TEST_CASE("two blobs give the same line diff as their contents as buffers") {
    git_libgit2_init();
    git_repository* repo = nullptr;
    REQUIRE(git_repository_init(&repo, test::scratch_dir("diff-blobs").c_str(), 1) == 0);
    auto blob = [&](const std::string& text) {
      git_oid id;
      REQUIRE(git_blob_create_from_buffer(&id, repo, text.data(), text.size()) == 0);
      git_blob* b = nullptr;
      REQUIRE(git_blob_lookup(&b, repo, &id) == 0);
      return std::unique_ptr<git_blob, void (*)(git_blob*)>(b, git_blob_free);
    };
    std::mt19937 rng(13);
    const char alphabet[] = {'a', 'b', 'c', ' ', '\n', '\n', '\n', '\r', '}'};
    auto text_of = [&](std::size_t n) {
      std::string t(n, ' ');
      for (char& c : t) c = alphabet[rng() % sizeof alphabet];
      return t;
    };
    for (int round = 0; round < 200; ++round) {
      const std::string old_text = text_of(rng() % 300);
      std::string new_text = old_text;
      for (int edits = 0; edits < 3 && !new_text.empty(); ++edits) {
        new_text.insert(rng() % new_text.size(), text_of(rng() % 20));
        new_text.erase(rng() % new_text.size(), rng() % 10);
      }
      CAPTURE(old_text);
      CAPTURE(new_text);
      git::PatchLimits limits;
      if (round % 4 == 0) limits.new_keep_bytes = rng() % 200;
      if (round % 5 == 0) limits.context_lines = static_cast<int>(rng() % 4);
      const auto old_blob = blob(old_text);
      const auto new_blob = blob(new_text);
      FileDiff from_blobs, from_buffers;
      REQUIRE(git::diff_blobs(old_blob.get(), new_blob.get(), limits, from_blobs) == 0);
      REQUIRE(git::diff_text(old_text, new_text, limits, from_buffers) == 0);
      check_same(from_blobs, from_buffers);
    }
    git_repository_free(repo);
    git_libgit2_shutdown();
  }
}
