#include <doctest/doctest.h>

#include <filesystem>

#include <fmt/format.h>

#include "git/fixture.h"
#include "reviewer/core/error.h"

using namespace reviewer;
using namespace reviewer::test;

TEST_SUITE("git::Repository::diff") {
  TEST_CASE("a modified file has hunks with old and new line numbers and exact counts") {
    ScratchRepo r("modified");
    auto base = r.commit("main", "", {{"src/a.txt", text(numbered_lines(10))}});
    std::string changed = numbered_lines(10);
    changed.replace(changed.find("line 5\n"), 7, "line five\nline 5.5\n");
    auto head = r.commit("pr", base, {{"src/a.txt", text(changed)}});

    Diff d = r.diff(base, head);
    CHECK(d.base_sha == base);
    CHECK(d.head_sha == head);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK(f.kind == ChangeKind::modified);
    CHECK(f.old_path == "src/a.txt");
    CHECK(f.new_path == "src/a.txt");
    CHECK(f.old_mode == GIT_FILEMODE_BLOB);
    CHECK(f.additions == 2);
    CHECK(f.deletions == 1);
    CHECK_FALSE(f.binary);
    CHECK_FALSE(f.truncated);
    REQUIRE(f.hunks.size() == 1);
    const Hunk& h = f.hunks[0];
    CHECK(h.old_start == 2);
    CHECK(h.old_lines == 7);
    CHECK(h.new_start == 2);
    CHECK(h.new_lines == 8);
    CHECK(h.header.rfind("@@ -2,7 +2,8 @@", 0) == 0);
    REQUIRE(h.lines.size() == 9);
    CHECK(h.lines[0].origin == LineOrigin::context);
    CHECK(h.lines[0].old_line == 2);
    CHECK(h.lines[0].new_line == 2);
    CHECK(h.lines[0].content == "line 2");
    const auto del = lines_of(f, LineOrigin::deleted);
    REQUIRE(del.size() == 1);
    CHECK(del[0].content == "line 5");
    CHECK(del[0].old_line == 5);
    CHECK(del[0].new_line == 0);
    const auto add = lines_of(f, LineOrigin::added);
    REQUIRE(add.size() == 2);
    CHECK(add[0].content == "line five");
    CHECK(add[0].new_line == 5);
    CHECK(add[0].old_line == 0);
    CHECK(add[1].content == "line 5.5");
    CHECK(add[1].new_line == 6);
  }

  TEST_CASE("added and deleted files have only the side they exist on") {
    ScratchRepo r("added_deleted");
    auto base = r.commit("main", "", {{"old/gone.txt", text("bye\n")}, {"keep.txt", text("k\n")}});
    auto head = r.commit("pr", base, {{"old/gone.txt", removed()}, {"new/born.txt", text("hi\nthere\n")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 2);
    const FileDiff* added = find_file(d, "new/born.txt");
    REQUIRE(added);
    CHECK(added->kind == ChangeKind::added);
    CHECK(added->old_path.empty());
    CHECK(added->old_mode == 0);
    CHECK(added->old_id.empty());
    CHECK(added->new_id.size() == 40);
    CHECK(added->additions == 2);
    CHECK(added->deletions == 0);
    const FileDiff* gone = find_file(d, "old/gone.txt");
    REQUIRE(gone);
    CHECK(gone->kind == ChangeKind::deleted);
    CHECK(gone->new_path.empty());
    CHECK(gone->deletions == 1);
    REQUIRE(gone->hunks.size() == 1);
    CHECK(gone->hunks[0].lines[0].old_line == 1);
  }

  TEST_CASE("the old blob's lines are counted where the diff read it, as the history agent counts them") {
    ScratchRepo r("old_lines");
    std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    auto base = r.commit("main", "", {{"gone.txt", text("a\nb")}, {"edit.txt", text("1\n2\n3\n")},
                                      {"logo.png", text(png)}, {"empty.txt", text("")}});
    auto head = r.commit("pr", base, {{"gone.txt", removed()}, {"edit.txt", text("1\n3\n")},
                                      {"logo.png", text(png + "x")}, {"empty.txt", text("now\n")},
                                      {"born.txt", text("hi\n")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 5);
    auto old_lines = [&](const char* path) {
      const FileDiff* f = find_file(d, path);
      REQUIRE(f);
      CHECK(f->old_lines_read);
      return f->old_lines;
    };
    CHECK(old_lines("gone.txt") == std::optional<std::uint32_t>(2));  // the last line without a newline counts
    CHECK(old_lines("edit.txt") == std::optional<std::uint32_t>(3));
    CHECK(old_lines("empty.txt") == std::optional<std::uint32_t>(0));
    CHECK_FALSE(old_lines("logo.png"));  // binary: no count
    const FileDiff* born = find_file(d, "born.txt");
    REQUIRE(born);
    CHECK_FALSE(born->old_lines_read);
    CHECK_FALSE(born->old_lines);
  }

  TEST_CASE("an identical commit gives an empty diff") {
    ScratchRepo r("empty");
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {}, "no change");
    Diff d = r.diff(base, head);
    CHECK(d.empty());
    CHECK(d.notes.empty());
  }

  TEST_CASE("a renamed file with edits is one renamed entry with its similarity") {
    ScratchRepo r("rename");
    auto base = r.commit("main", "", {{"lib/old_name.cpp", text(numbered_lines(20))}});
    std::string edited = numbered_lines(20);
    edited.replace(edited.find("line 7\n"), 7, "line seven\n");
    auto head = r.commit("pr", base, {{"lib/old_name.cpp", removed()}, {"src/new_name.cpp", text(edited)}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK(f.kind == ChangeKind::renamed);
    CHECK(f.old_path == "lib/old_name.cpp");
    CHECK(f.new_path == "src/new_name.cpp");
    CHECK(f.similarity >= 80);
    CHECK(f.similarity < 100);
    CHECK(f.additions == 1);
    CHECK(f.deletions == 1);

    SUBCASE("a threshold above the similarity splits it into a delete and an add") {
      git::DiffOptions strict;
      strict.rename_threshold = 100;
      Diff split = r.diff(base, head, strict);
      REQUIRE(split.files.size() == 2);
      CHECK(find_file(split, "lib/old_name.cpp")->kind == ChangeKind::deleted);
      CHECK(find_file(split, "src/new_name.cpp")->kind == ChangeKind::added);
    }
  }

  TEST_CASE("a pure rename has no hunks and similarity 100") {
    ScratchRepo r("pure_rename");
    auto base = r.commit("main", "", {{"a.txt", text(numbered_lines(5))}});
    auto head = r.commit("pr", base, {{"a.txt", removed()}, {"b.txt", text(numbered_lines(5))}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    CHECK(d.files[0].kind == ChangeKind::renamed);
    CHECK(d.files[0].similarity == 100);
    CHECK(d.files[0].hunks.empty());
    CHECK(d.files[0].additions + d.files[0].deletions == 0);
  }

  TEST_CASE("too many added and deleted files skip rename detection with a note") {
    ScratchRepo r("rename_limit");
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}, {"b.txt", text("b\n")}});
    auto head = r.commit("pr", base, {{"a.txt", removed()}, {"b.txt", removed()}, {"c.txt", text("a\n")},
                                      {"d.txt", text("b\n")}});
    git::DiffOptions opts;
    opts.rename_limit = 1;
    Diff d = r.diff(base, head, opts);
    CHECK(d.files.size() == 4);
    REQUIRE(d.notes.size() == 1);
    CHECK(d.notes[0].find("rename detection skipped") != std::string::npos);
  }

  TEST_CASE("a binary file is marked binary and has no hunks") {
    ScratchRepo r("binary");
    std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    auto base = r.commit("main", "", {{"img/logo.png", text(png)}});
    auto head = r.commit("pr", base, {{"img/logo.png", text(png + std::string("\0\1\2", 3))}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    CHECK(d.files[0].binary);
    CHECK(d.files[0].hunks.empty());
    CHECK(d.files[0].additions == 0);
    CHECK(d.files[0].deletions == 0);
    CHECK(d.files[0].new_prefix == png);  // its first 16 bytes, for safety to check the format
  }

  TEST_CASE("a mode change 644 to 755 is a modification with both modes and no hunks") {
    ScratchRepo r("mode");
    auto base = r.commit("main", "", {{"run.sh", text("echo hi\n")}});
    auto head = r.commit("pr", base, {{"run.sh", text("echo hi\n", GIT_FILEMODE_BLOB_EXECUTABLE)}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK(f.kind == ChangeKind::modified);
    CHECK(f.old_mode == 0100644);
    CHECK(f.new_mode == 0100755);
    CHECK(f.hunks.empty());
    CHECK(f.old_id == f.new_id);
  }

  TEST_CASE("an added symlink is marked and its target is its content") {
    ScratchRepo r("symlink");
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"link", text("../../etc/passwd", GIT_FILEMODE_LINK)}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK(f.symlink);
    CHECK(f.kind == ChangeKind::added);
    CHECK(f.new_mode == GIT_FILEMODE_LINK);
    const auto add = lines_of(f, LineOrigin::added);
    REQUIRE(add.size() == 1);
    CHECK(add[0].content == "../../etc/passwd");
    CHECK(add[0].no_newline_at_eof);
  }

  TEST_CASE("a file replaced by a symlink is a type change") {
    ScratchRepo r("typechange");
    auto base = r.commit("main", "", {{"conf", text("x = 1\n")}});
    auto head = r.commit("pr", base, {{"conf", text("/etc/conf", GIT_FILEMODE_LINK)}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    CHECK(d.files[0].kind == ChangeKind::type_changed);
    CHECK(d.files[0].old_mode == GIT_FILEMODE_BLOB);
    CHECK(d.files[0].new_mode == GIT_FILEMODE_LINK);
    CHECK(d.files[0].symlink);
  }

  TEST_CASE("a submodule bump is marked with the old and new commit ids") {
    ScratchRepo r("submodule");
    const std::string c1(40, '1'), c2(40, '2');
    auto base = r.commit("main", "", {{"deps/lib", text(c1, GIT_FILEMODE_COMMIT)}, {"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"deps/lib", text(c2, GIT_FILEMODE_COMMIT)}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK(f.submodule);
    CHECK(f.kind == ChangeKind::modified);
    CHECK(f.old_mode == GIT_FILEMODE_COMMIT);
    CHECK(f.old_id == c1);
    CHECK(f.new_id == c2);
    const auto add = lines_of(f, LineOrigin::added);
    REQUIRE(add.size() == 1);
    CHECK(add[0].content == "Subproject commit " + c2);
  }

  TEST_CASE("a submodule replaced by a file is that file: its lines are read, it is no submodule") {
    ScratchRepo r("unsubmodule");
    const std::string c1(40, '1');
    auto base = r.commit("main", "", {{"deps/lib", text(c1, GIT_FILEMODE_COMMIT)}, {"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"deps/lib", text("key = 1\nsecret = 2\n")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK_FALSE(f.submodule);
    CHECK(f.old_mode == GIT_FILEMODE_COMMIT);
    CHECK(f.new_mode == GIT_FILEMODE_BLOB);
    const auto add = lines_of(f, LineOrigin::added);
    REQUIRE(add.size() == 2);
    CHECK(add[1].content == "secret = 2");

    SUBCASE("and a file replaced by a submodule is one") {
      auto again = r.commit("pr2", head, {{"deps/lib", text(c1, GIT_FILEMODE_COMMIT)}});
      Diff d2 = r.diff(head, again);
      REQUIRE(d2.files.size() == 1);
      CHECK(d2.files[0].submodule);
    }
  }

  TEST_CASE("CRLF line endings are stripped from the content and flagged") {
    ScratchRepo r("crlf");
    auto base = r.commit("main", "", {{"win.txt", text("one\r\ntwo\r\n")}});
    auto head = r.commit("pr", base, {{"win.txt", text("one\r\nTWO\r\n")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const auto add = lines_of(d.files[0], LineOrigin::added);
    REQUIRE(add.size() == 1);
    CHECK(add[0].content == "TWO");
    CHECK(add[0].crlf);
    const auto ctx = lines_of(d.files[0], LineOrigin::context);
    REQUIRE(ctx.size() == 1);
    CHECK(ctx[0].content == "one");
    CHECK(ctx[0].crlf);
  }

  TEST_CASE("a last line without a newline is flagged on that line only") {
    ScratchRepo r("no_eol");
    auto base = r.commit("main", "", {{"a.txt", text("a\nb")}});
    auto head = r.commit("pr", base, {{"a.txt", text("a\nc")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    const auto del = lines_of(d.files[0], LineOrigin::deleted);
    const auto add = lines_of(d.files[0], LineOrigin::added);
    const auto ctx = lines_of(d.files[0], LineOrigin::context);
    REQUIRE(del.size() == 1);
    REQUIRE(add.size() == 1);
    REQUIRE(ctx.size() == 1);
    CHECK(del[0].content == "b");
    CHECK(del[0].no_newline_at_eof);
    CHECK(add[0].content == "c");
    CHECK(add[0].no_newline_at_eof);
    CHECK_FALSE(ctx[0].no_newline_at_eof);

    SUBCASE("adding the newline changes the line") {
      auto fixed = r.commit("fix", head, {{"a.txt", text("a\nc\n")}});
      Diff d2 = r.diff(head, fixed);
      REQUIRE(d2.files.size() == 1);
      const auto del2 = lines_of(d2.files[0], LineOrigin::deleted);
      const auto add2 = lines_of(d2.files[0], LineOrigin::added);
      REQUIRE(del2.size() == 1);
      REQUIRE(add2.size() == 1);
      CHECK(del2[0].no_newline_at_eof);
      CHECK_FALSE(add2[0].no_newline_at_eof);
    }
  }

  TEST_CASE("line contents view one buffer per file that outlives the repository, in hunk order") {
    ScratchRepo r("views");
    std::string before = numbered_lines(40);
    std::string after = before;
    after.replace(after.find("line 3\n"), 7, "line three\n");
    after.replace(after.find("line 30\n"), 8, "line thirty\nline 30.5\n");
    const std::string huge(3 << 20, 'h');  // one 3 MB line
    auto base = r.commit("main", "", {{"a.txt", text(before)}, {"win.txt", text("one\r\ntwo\r\n")},
                                      {"eof.txt", text("a\nb")}});
    auto head = r.commit("pr", base, {{"a.txt", text(after)}, {"win.txt", text("one\r\nTWO\r\n")},
                                      {"eof.txt", text("a\nc")}, {"huge.txt", text(huge + "\n")},
                                      {"blob.bin", text(std::string("\0\1\2", 3))}});
    git::DiffOptions opts;
    opts.max_file_bytes = 8 << 20;  // the huge line is kept
    Diff d = r.diff(base, head, opts);  // the repository and its blobs are closed again here

    const FileDiff* a = find_file(d, "a.txt");
    REQUIRE(a);
    REQUIRE(a->text);
    REQUIRE(a->hunks.size() == 2);
    std::string expected;
    for (const auto& h : a->hunks) {
      for (const auto& l : h.lines) {
        CHECK(l.content.data() >= a->text->data());
        CHECK(l.content.data() + l.content.size() < a->text->data() + a->text->size());
        expected += std::string(l.content) + "\n";
      }
    }
    CHECK(*a->text == expected);
    const auto add = lines_of(*a, LineOrigin::added);
    REQUIRE(add.size() == 3);
    CHECK(add[0].content == "line three");
    CHECK(add[0].new_line == 3);
    CHECK(add[1].content == "line thirty");
    CHECK(add[1].new_line == 30);
    CHECK(add[2].content == "line 30.5");
    CHECK(add[2].new_line == 31);
    const auto del = lines_of(*a, LineOrigin::deleted);
    REQUIRE(del.size() == 2);
    CHECK(del[1].content == "line 30");
    CHECK(del[1].old_line == 30);
    CHECK(a->hunks[1].lines.back().content == "line 33");
    CHECK(a->hunks[1].lines.back().old_line == 33);
    CHECK(a->hunks[1].lines.back().new_line == 34);

    const FileDiff* win = find_file(d, "win.txt");
    REQUIRE(win);
    REQUIRE(win->text);
    CHECK(*win->text == "one\ntwo\nTWO\n");  // no "\r": the flag keeps it
    CHECK(win->hunks[0].lines[2].crlf);

    const FileDiff* eof = find_file(d, "eof.txt");
    REQUIRE(eof);
    REQUIRE(eof->text);
    CHECK(*eof->text == "a\nb\nc\n");
    CHECK(eof->hunks[0].lines.back().content == "c");
    CHECK(eof->hunks[0].lines.back().no_newline_at_eof);

    const FileDiff* big = find_file(d, "huge.txt");
    REQUIRE(big);
    REQUIRE(big->hunks.size() == 1);
    REQUIRE(big->hunks[0].lines.size() == 1);
    CHECK(big->hunks[0].lines[0].content.size() == huge.size());
    CHECK(big->hunks[0].lines[0].content == huge);
    CHECK(big->text->size() == huge.size() + 1);

    const FileDiff* bin = find_file(d, "blob.bin");
    REQUIRE(bin);
    CHECK(bin->binary);
    CHECK_FALSE(bin->text);

    SUBCASE("a copy of one file keeps its lines after the diff is gone") {
      FileDiff kept = *a;
      d = Diff{};
      CHECK(lines_of(kept, LineOrigin::added)[1].content == "line thirty");
    }
  }

  TEST_CASE("invalid UTF-8 is kept as raw bytes in a text diff") {
    ScratchRepo r("bad_utf8");
    const std::string bad = "ok\n\xff\xfe broken \xc3\x28 bytes\n";
    auto base = r.commit("main", "", {{"a.txt", text("ok\n")}});
    auto head = r.commit("pr", base, {{"a.txt", text(bad)}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    CHECK_FALSE(d.files[0].binary);
    const auto add = lines_of(d.files[0], LineOrigin::added);
    REQUIRE(add.size() == 1);
    CHECK(add[0].content == "\xff\xfe broken \xc3\x28 bytes");
  }

  TEST_CASE("paths with spaces and unicode come back as raw UTF-8") {
    ScratchRepo r("unicode");
    const std::string spaced = "docs/with space/read me.md";
    const std::string unicode = "src/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt";  // café/日本.txt
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{spaced, text("x\n")}, {unicode, text("y\n")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 2);
    CHECK(find_file(d, spaced));
    CHECK(find_file(d, unicode));
  }

  TEST_CASE("a file over the cap keeps only hunks within it, exact counts and a note") {
    ScratchRepo r("huge");
    const std::string before = numbered_lines(5000);  // about 48 KB
    std::string after = before;
    after.replace(after.find("line 3\n"), 7, "line three\n");
    after.replace(after.find("line 4000\n"), 10, "line four thousand\n");
    auto base = r.commit("main", "", {{"src/big.txt", text(before)}});
    auto head = r.commit("pr", base, {{"src/big.txt", text(after)}});
    git::DiffOptions opts;
    opts.max_file_bytes = 1024;
    Diff d = r.diff(base, head, opts);
    REQUIRE(d.files.size() == 1);
    const FileDiff& f = d.files[0];
    CHECK(f.truncated);
    CHECK(f.additions == 2);
    CHECK(f.deletions == 2);
    REQUIRE(f.hunks.size() == 1);
    CHECK(f.hunks[0].old_start == 1);
    REQUIRE(d.notes.size() == 1);
    CHECK(d.notes[0] == "src/big.txt: 47.8 KB, only the first 1 KB reviewed");

    SUBCASE("a hunk that crosses the cap keeps its lines within it, with their counts") {
      // 42 bytes hold 5 complete lines of the new side (line three is 4 bytes
      // longer), so the hunk stops before its context line 6.
      opts.max_file_bytes = 42;
      Diff d3 = r.diff(base, head, opts);
      const FileDiff& g = d3.files[0];
      REQUIRE(g.hunks.size() == 1);
      const Hunk& h = g.hunks[0];
      REQUIRE(h.lines.size() == 6);  // 1, 2, -3, +three, 4, 5
      CHECK(h.lines.back().new_line == 5);
      CHECK(h.old_lines == 5);
      CHECK(h.new_lines == 5);
      CHECK(lines_of(g, LineOrigin::added).at(0).content == "line three");
    }

    SUBCASE("an added file over the cap keeps its complete lines within it") {
      auto added = r.commit("pr-added", base, {{"src/new.txt", text(before)}});
      Diff d4 = r.diff(base, added, opts);
      REQUIRE(d4.files.size() == 1);
      const FileDiff& g = d4.files[0];
      CHECK(g.truncated);
      CHECK(g.additions == 5000);
      const auto kept = lines_of(g, LineOrigin::added);
      std::size_t bytes = 0;
      for (const auto& l : kept) bytes += l.content.size() + 1;
      CHECK(bytes <= 1024);
      CHECK(bytes > 1024 - 12);  // every complete line that fits
      REQUIRE_FALSE(kept.empty());
      CHECK(kept.front().content == "line 1");
      CHECK(kept.back().new_line == static_cast<int>(kept.size()));
      CHECK(g.hunks.at(0).new_lines == static_cast<int>(kept.size()));
      REQUIRE(d4.notes.size() == 1);
      CHECK(d4.notes[0] == "src/new.txt: 47.7 KB, only the first 1 KB reviewed");
    }

    SUBCASE("a file over the counting cap is not loaded at all") {
      opts.max_count_bytes = 4096;
      Diff d2 = r.diff(base, head, opts);
      REQUIRE(d2.files.size() == 1);
      CHECK(d2.files[0].truncated);
      CHECK(d2.files[0].hunks.empty());
      REQUIRE(d2.notes.size() == 1);
      CHECK(d2.notes[0] == "src/big.txt: 47.8 KB, too large to diff (over 4 KB); not reviewed");
    }
  }

  TEST_CASE("the whole diff's budget keeps files in order while they fit; the first that does not and all after it are dropped") {
    // One blob of 65,536 empty lines under twelve paths: a tiny repository,
    // yet every path costs a line record per byte. Twelve files take both
    // threads, so the kept set must not depend on which read what.
    ScratchRepo r("budget");
    auto base = r.commit("main", "", {{"README", text("x\n")}});
    const std::string newlines(65536, '\n');
    std::vector<std::pair<std::string, std::string>> files;
    for (int i = 0; i < 12; ++i) files.emplace_back(fmt::format("f/{:02}.txt", i), newlines);
    files.emplace_back("g/small.txt", "one line\n");  // small, but after the budget closed
    Files entries;
    for (const auto& [path, body] : files) entries[path] = text(body);
    auto head = r.commit("pr", base, entries);
    git::DiffOptions opts;
    // Each file holds 65,536 line records and 64 KB of bytes: five and a
    // half fit.
    opts.max_total_bytes = 65536 * (sizeof(DiffLine) + 1) * 11 / 2;
    for (int run = 0; run < 20; ++run) {
      CAPTURE(run);
      Diff d = r.diff(base, head, opts);
      REQUIRE(d.files.size() == 13);
      for (std::size_t i = 0; i < 13; ++i) {
        const FileDiff& f = d.files[i];
        CAPTURE(f.path());
        if (i < 5) {
          CHECK_FALSE(f.truncated);
          CHECK(f.additions == 65536);
          REQUIRE(f.hunks.size() == 1);
          CHECK(f.hunks[0].lines.size() == 65536);
        } else {
          CHECK(f.truncated);  // the run needs a person
          CHECK(f.hunks.empty());
          CHECK(f.text == nullptr);
          CHECK(f.additions == 0);
        }
      }
      REQUIRE(d.notes.size() == 1);
      CHECK(d.notes[0] ==
            "8 file(s) not reviewed, from 'f/05.txt' on: the diff reached its limit of 11.3 MB of lines and text; "
            "a person must review them");
    }
    SUBCASE("a file the budget drops unread cannot fail the diff, on one thread as on two") {
      // The last file's blob is gone from the object store: reading it fails.
      Diff whole = r.diff(base, head);
      const std::string id = whole.files.back().new_id;
      REQUIRE(id.size() == 40);
      std::filesystem::remove(r.dir / ".git" / "objects" / id.substr(0, 2) / id.substr(2));
      CHECK_THROWS_AS(r.diff(base, head), Error);  // within the default budget it is read, and fails
      for (int run = 0; run < 10; ++run) {
        Diff d = r.diff(base, head, opts);
        CHECK(d.files.back().truncated);
        CHECK(d.files.back().hunks.empty());
      }
    }
    // The default keeps the benchmarks' largest change (bench/review.sh's
    // import: 61.5 MB, 1.36 M lines) whole, with room to spare.
    CHECK(git::DiffOptions{}.max_total_bytes > 2 * (std::size_t{62} * 1000 * 1000 + 1360000 * (sizeof(DiffLine) + 8)));
  }

  TEST_CASE("linguist-generated and linguist-vendored are read at the base commit") {
    ScratchRepo r("linguist");
    auto base = r.commit("main", "",
                         {{".gitattributes", text("gen/** linguist-generated\n"
                                                  "vendor/** linguist-vendored\n"
                                                  "*.pb.go linguist-generated=true\n"
                                                  "vendor/ours/** -linguist-vendored\n")},
                          {"src/a.go", text("a\n")}});
    auto head = r.commit("pr", base,
                         {{"gen/api.ts", text("x\n")},
                          {"vendor/lib/x.c", text("x\n")},
                          {"vendor/ours/y.c", text("y\n")},
                          {"proto/m.pb.go", text("m\n")},
                          {"src/a.go", text("b\n")},
                          // Attributes added by the pull request itself do not count.
                          {".gitattributes", text("src/** linguist-generated\n")}});
    Diff d = r.diff(base, head);
    CHECK(find_file(d, "gen/api.ts")->generated);
    CHECK(find_file(d, "vendor/lib/x.c")->vendored);
    CHECK_FALSE(find_file(d, "vendor/ours/y.c")->vendored);
    CHECK(find_file(d, "proto/m.pb.go")->generated);
    CHECK_FALSE(find_file(d, "src/a.go")->generated);
    CHECK_FALSE(find_file(d, "src/a.go")->excluded());
  }

  TEST_CASE("guidance patterns mark files unless an attribute says false") {
    ScratchRepo r("excluded");
    auto base = r.commit("main", "", {{".gitattributes", text("package-lock.json -linguist-generated\n")},
                                      {"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"yarn.lock", text("x\n")}, {"package-lock.json", text("{}\n")},
                                      {"third_party/z.c", text("z\n")}, {"a.txt", text("b\n")}});
    git::DiffOptions opts;
    opts.excluded = [](std::string_view p) { return p == "yarn.lock" || p == "package-lock.json"; };
    opts.vendored = [](std::string_view p) { return p.substr(0, 12) == "third_party/"; };
    Diff d = r.diff(base, head, opts);
    CHECK(find_file(d, "yarn.lock")->generated);
    CHECK_FALSE(find_file(d, "package-lock.json")->generated);
    CHECK(find_file(d, "third_party/z.c")->vendored);
    CHECK_FALSE(find_file(d, "a.txt")->excluded());
  }

  TEST_CASE("the diff attribute can force a text file to binary") {
    ScratchRepo r("attr_binary");
    auto base = r.commit("main", "", {{".gitattributes", text("*.dat binary\n")}, {"x.dat", text("1\n")}});
    auto head = r.commit("pr", base, {{"x.dat", text("2\n")}});
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    CHECK(d.files[0].binary);
    CHECK(d.files[0].hunks.empty());
  }

  TEST_CASE("a bare repository diffs the same as a normal one") {
    ScratchRepo r("bare", /*bare=*/true);
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"a.txt", text("b\n")}});
    auto repo = r.open();
    CHECK(repo.bare());
    Diff d = repo.diff(base, head, base, {});
    REQUIRE(d.files.size() == 1);
    CHECK(d.files[0].additions == 1);
  }

  TEST_CASE("the work tree is never read, even when it holds other attributes") {
    ScratchRepo r("worktree");
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"a.txt", text("b\n")}});
    write_text(r.dir / ".gitattributes", "* binary linguist-generated\n");
    write_text(r.dir / "a.txt", "something else entirely\n");
    Diff d = r.diff(base, head);
    REQUIRE(d.files.size() == 1);
    CHECK_FALSE(d.files[0].binary);
    CHECK_FALSE(d.files[0].generated);
    CHECK(lines_of(d.files[0], LineOrigin::added).at(0).content == "b");
  }

  TEST_CASE("revisions may be given as names as well as shas") {
    ScratchRepo r("names");
    auto base = r.commit("main", "", {{"a.txt", text("a\n")}});
    auto head = r.commit("pr", base, {{"a.txt", text("b\n")}});
    Diff d = r.open().diff("main", "pr", "main", {});
    CHECK(d.base_sha == base);
    CHECK(d.head_sha == head);
    CHECK_THROWS_AS(r.open().diff("main", "nope", "main", {}), Error);
  }

  TEST_CASE("a change of many files gives every file as a change of that file alone gives it") {
    // Enough files for the lines to be read on two threads.
    ScratchRepo r("many");
    Files before, after;
    for (int i = 0; i < 24; ++i) {
      const std::string name = fmt::format("f{:02}.txt", i);
      if (i % 4 != 3) before[name] = text(numbered_lines(40 + i));
      std::string changed = numbered_lines(40 + i, i % 2 ? "row " : "line ");
      if (i % 4 == 0) changed.insert(changed.find("line 9\n"), "inserted\n");
      if (i % 4 == 2) changed += "no newline at the end";
      if (i % 4 == 3) changed = numbered_lines(30, fmt::format("new file {} entry ", i));  // not a rename
      after[name] = i % 4 == 1 ? removed() : text(changed);
    }
    const auto base = r.commit("main", "", before);
    const auto head = r.commit("pr", base, after);
    const Diff all = r.diff(base, head);
    REQUIRE(all.files.size() == 24);
    for (const auto& [name, change] : after) {
      CAPTURE(name);
      const auto one = r.commit("one-" + name, base, {{name, change}});
      const Diff alone = r.diff(base, one);
      REQUIRE(alone.files.size() == 1);
      const FileDiff* f = find_file(all, name);
      REQUIRE(f);
      const FileDiff& g = alone.files[0];
      CHECK(f->kind == g.kind);
      CHECK(f->additions == g.additions);
      CHECK(f->deletions == g.deletions);
      CHECK(bool(f->text) == bool(g.text));
      if (f->text && g.text) CHECK(*f->text == *g.text);
      REQUIRE(f->hunks.size() == g.hunks.size());
      for (std::size_t h = 0; h < f->hunks.size(); ++h) {
        CHECK(f->hunks[h].header == g.hunks[h].header);
        REQUIRE(f->hunks[h].lines.size() == g.hunks[h].lines.size());
        for (std::size_t i = 0; i < f->hunks[h].lines.size(); ++i) {
          const DiffLine& a = f->hunks[h].lines[i];
          const DiffLine& b = g.hunks[h].lines[i];
          CHECK(a.content == b.content);
          CHECK(a.origin == b.origin);
          CHECK(a.old_line == b.old_line);
          CHECK(a.new_line == b.new_line);
          CHECK(a.no_newline_at_eof == b.no_newline_at_eof);
        }
      }
    }
    // In the order of the paths, whichever thread read them.
    for (std::size_t i = 1; i < all.files.size(); ++i) CHECK(all.files[i - 1].path() < all.files[i].path());
  }

  TEST_CASE("an unreadable blob in a change of many files names the first such file") {
    ScratchRepo r("many_broken");
    Files before, after;
    for (int i = 0; i < 24; ++i) {
      const std::string name = fmt::format("f{:02}.txt", i);
      before[name] = text(numbered_lines(10));
      after[name] = text(numbered_lines(10) + fmt::format("new {}\n", i));
    }
    const auto base = r.commit("main", "", before);
    const auto head = r.commit("pr", base, after);
    const Diff whole = r.diff(base, head);
    // Take away the new blobs of the 6th and the 20th files (loose objects).
    for (const char* name : {"f05.txt", "f19.txt"}) {
      const std::string id = find_file(whole, name)->new_id;
      REQUIRE(std::filesystem::remove(r.dir / ".git" / "objects" / id.substr(0, 2) / id.substr(2)));
    }
    for (int run = 0; run < 5; ++run) {
      try {
        (void)r.diff(base, head);
        FAIL("an unreadable blob was not an error");
      } catch (const Error& e) {
        CHECK(std::string(e.what()).find("read 'f05.txt'") != std::string::npos);
      }
    }
  }
}
