#include <doctest/doctest.h>

#include <fstream>

#include "history_repo.h"
#include "subagents/history/learning.h"

using namespace reviewer;
using test::HistoryRepo;
using test::numbered;

TEST_SUITE("history::index") {
  TEST_CASE("SZZ: the lines a fix deletes or changes blame the commit that last touched them") {
    HistoryRepo h("szz");
    const auto c1 = h.commit({{"src/a.c", {numbered(10)}}}, "Add a.c");
    const auto c2 = h.commit({{"src/a.c", {numbered(10, {{4, "int v4 = buggy();"}})}}}, "Tune v4", "bob@example.com");
    // c3 adds a comment line and a blank line that the fix will delete:
    // comment- and whitespace-only deletions blame nobody.
    const auto c3 = h.commit({{"src/a.c", {numbered(10, {{4, "int v4 = buggy();"}, {8, "// note\n\nint v8 = 8;"}})}}},
                             "Document v8", "cat@example.com");
    // c4 re-indents line 6 (whitespace only: not a culprit) and fixes line 4.
    const auto fix = h.commit({{"src/a.c", {numbered(10, {{4, "int v4 = 4;"}, {6, "  int v6 = 6;"}, {8, "int v8 = 8;"}})}}},
                              "fix: v4 was computed wrongly");
    auto ix = h.index();
    CHECK(h.record(ix, fix).fix);
    CHECK(h.record(ix, c2).fixed_at == h.record(ix, fix).time);
    CHECK(h.record(ix, c1).fixed_at == 0);  // line 6 only changed whitespace
    CHECK(h.record(ix, c3).fixed_at == 0);  // only a comment and a blank line
    const auto* file = ix.file("src/a.c");
    REQUIRE(file);
    CHECK(file->commits.size() == 4);
    CHECK(file->fixes == 1);
    CHECK(file->blamed == std::vector<std::uint32_t>{ix.commit_ids.at(c2)});
    CHECK(file->lines == 10);
    CHECK(ix.positives() == 1);
  }

  TEST_CASE("a fix's edits to tests and docs blame nobody") {
    HistoryRepo h("szz-docs");
    h.commit({{"README.md", {numbered(5)}}, {"tests/a_test.py", {numbered(5)}}}, "Add docs and tests");
    h.commit({{"README.md", {numbered(5, {{2, "x"}})}}, {"tests/a_test.py", {numbered(5, {{2, "y"}})}}},
             "fix: typo in the docs");
    CHECK(h.index().positives() == 0);
  }

  TEST_CASE("reverts are found by 'This reverts commit' and by squash-merged titles") {
    HistoryRepo h("reverts");
    h.commit({{"a.txt", {"a\n"}}}, "Initial");
    const auto feature = h.commit({{"src/f.go", {"package f\n"}}}, "Add the cache layer (#12)");
    const auto other = h.commit({{"src/g.go", {"package g\n"}}}, "Add g");
    const auto by_sha = h.commit({{"src/g.go", {std::nullopt}}},
                                 "Revert \"Add g\"\n\nThis reverts commit " + other.substr(0, 10) + ".");
    const auto squash = h.commit({{"src/f.go", {std::nullopt}}}, "Revert \"Add the cache layer (#12)\" (#15)");
    auto ix = h.index();
    CHECK(h.record(ix, other).reverted_at == h.record(ix, by_sha).time);
    CHECK(h.record(ix, feature).reverted_at == h.record(ix, squash).time);
    CHECK(h.record(ix, by_sha).revert);
    CHECK_FALSE(h.record(ix, by_sha).fix);  // labelled through its target
    CHECK(h.record(ix, squash).reverted_at == 0);
  }

  TEST_CASE("merge commits: the pull request's title names the change, and side-branch reverts count") {
    HistoryRepo h("merges");
    h.commit({{"src/a.c", {test::numbered(5)}}}, "Initial");
    const auto side1 = h.side("feature", h.tip, {{"src/f.c", {"int f;\n"}}}, "Add f");
    const auto pr = h.merge(side1, "Merge pull request #7 from o/feature\n\nAdd the f feature");
    const auto side2 = h.side("revert-7", h.tip, {{"src/f.c", {std::nullopt}}},
                              "Revert \"Add f\"\n\nThis reverts commit " + side1 + ".");
    const auto revert = h.merge(side2, "Merge pull request #8 from o/revert-7-feature\n\nRevert \"Add the f feature\"");
    auto ix = h.index();
    REQUIRE(ix.commits.size() == 3);
    CHECK(h.record(ix, pr).subject == "Add the f feature");
    CHECK(h.record(ix, revert).revert);
    CHECK(h.record(ix, pr).reverted_at == h.record(ix, revert).time);
    // The change is its branch author's (ann), not the merger's: who pressed
    // "merge" did not write it (exp, history/first-change).
    CHECK(ix.authors[h.record(ix, pr).author].key == "ann@example.com");
    CHECK(ix.author_ids.count("merger@example.com") == 0);
  }

  TEST_CASE("a merged branch whose last commit is a bot's autofix is its human author's change") {
    HistoryRepo h("merge-bot-tip");
    h.commit({{"src/a.c", {"int a;\n"}}}, "Initial");
    h.repo.set_author("bob", "bob@example.com");
    const auto work = h.side("feature", h.tip, {{"src/f.c", {"int f;\n"}}}, "Add f");
    h.repo.set_author("pre-commit-ci[bot]", "66853113+pre-commit-ci[bot]@users.noreply.github.com");
    const auto autofix = h.side("feature", work, {{"src/f.c", {"int f; \n"}}}, "[pre-commit.ci] auto fixes");
    const auto pr = h.merge(autofix, "Merge pull request #9 from o/feature\n\nAdd f");
    auto ix = h.index();
    CHECK(ix.authors[h.record(ix, pr).author].key == "bob@example.com");
  }

  TEST_CASE("a base on a side line is judged where it leaves the indexed line; the index is left alone") {
    HistoryRepo h("side-line");
    const auto fork = h.commit({{"a.c", {"a\n"}}}, "One");
    h.commit({{"a.c", {"b\n"}}}, "Two");
    h.index();
    const auto release = h.side("release", fork, {{"a.c", {"r\n"}}}, "Release fix");
    history::BuildStats st;
    auto ix = *history::update_index(h.repo.get(), release, h.options(), &st);
    CHECK(st.complete);
    CHECK_FALSE(st.rebuilt);
    CHECK(st.as_of == fork);
    CHECK(ix.commits.size() == 2);
    // The default branch itself rewritten (a force push) is rebuilt.
    auto opts = h.options();
    opts.base_is_default_branch = true;
    history::update_index(h.repo.get(), release, opts, &st);
    CHECK(st.rebuilt);
    CHECK(st.rebuild_reason.find("rewritten") != std::string::npos);
  }

  TEST_CASE("SZZ knows comments by language: a C directive is code, a Python comment is not") {
    HistoryRepo h("comments");
    h.commit({{"src/a.c", {"#define N 1\nint a;\n"}}, {"src/b.py", {"# note\nx = 1\n"}}}, "Add");
    const auto culprit = h.commit({{"src/a.c", {"#define N 2\nint a;\n"}}, {"src/b.py", {"# note 2\nx = 1\n"}}},
                                  "Tune N", "bob@example.com");
    const auto fix = h.commit({{"src/a.c", {"#define N 3\nint a;\n"}}}, "fix: N overflowed");
    const auto fix2 = h.commit({{"src/b.py", {"# note 3\nx = 1\n"}}}, "fix: wording");
    auto ix = h.index();
    CHECK(h.record(ix, culprit).fixed_by == ix.commit_ids.at(fix));
    CHECK(ix.commit_ids.count(fix2));
    CHECK(ix.file("src/b.py")->blamed.empty());
  }

  TEST_CASE("renames are followed: history and line origins move with the file") {
    HistoryRepo h("renames");
    h.commit({{"old/name.c", {numbered(20)}}}, "Add");
    const auto bad = h.commit({{"old/name.c", {numbered(20, {{10, "int v10 = oops();"}})}}}, "Change v10",
                              "bob@example.com");
    h.commit({{"old/name.c", {std::nullopt}}, {"new/name.c", {numbered(20, {{10, "int v10 = oops();"}})}}},
             "Move name.c");
    const auto fix = h.commit({{"new/name.c", {numbered(20)}}}, "Fix the v10 crash");
    auto ix = h.index();
    CHECK(ix.file("old/name.c") == nullptr);
    const auto* moved = ix.file("new/name.c");
    REQUIRE(moved);
    CHECK(moved->commits.size() == 4);
    CHECK(moved->authors.size() == 2);
    CHECK(h.record(ix, bad).fixed_at == h.record(ix, fix).time);
  }

  TEST_CASE("a reorganisation too large for the similarity search still follows files of the same name") {
    // 60 files moved with an edit each (60 x 60 pairs, over the search's
    // budget): followed by exact content or, failing that, a unique name.
    HistoryRepo h("reorganisation");
    std::map<std::string, git::FileChange> add, move;
    for (int i = 0; i < 60; ++i) {
      const std::string name = "f" + std::to_string(i) + ".c";
      add["pkg/" + name] = {numbered(20)};
      move["pkg/" + name] = {std::nullopt};
      // One file keeps its content exactly, the others get an edited line.
      move["module/pkg/" + name] = {i == 0 ? numbered(20) : numbered(20, {{1, "int import_changed;"}})};
    }
    // Two files of the same name (a.c) cannot be told apart by name: they
    // start over.
    add["x/a.c"] = {numbered(5)};
    add["y/a.c"] = {numbered(6)};
    move["x/a.c"] = {std::nullopt};
    move["y/a.c"] = {std::nullopt};
    move["z/a.c"] = {numbered(5, {{1, "edited"}})};
    move["w/a.c"] = {numbered(6, {{1, "edited"}})};
    h.commit(add, "Add");
    const auto moved = h.commit(move, "Move everything into module/");
    auto ix = h.index();
    for (int i : {0, 1, 59}) {
      const auto* f = ix.file("module/pkg/f" + std::to_string(i) + ".c");
      REQUIRE(f);
      CHECK(f->commits.size() == 2);
      // The moved lines keep their origin; only the edited one is new.
      CHECK(f->origin[1] == 1);
      CHECK(f->origin[0] == (i == 0 ? 1u : ix.commit_ids.at(moved) + 1));
    }
    CHECK(ix.file("pkg/f1.c") == nullptr);
    CHECK(ix.file("z/a.c")->commits.size() == 1);
  }

  TEST_CASE("features are computed from the history before each commit") {
    HistoryRepo h("features");
    h.commit({{"src/a.c", {numbered(10)}}, {"docs/x.md", {"doc\n"}}}, "Add a");
    h.commit({{"src/a.c", {numbered(10, {{1, "x"}})}}}, "Fix #3 in a", "bob@example.com");
    const auto third = h.commit({{"src/a.c", {numbered(10, {{1, "x"}, {2, "y"}})}}, {"lib/b.c", {"b\nb\n"}}},
                                "Touch a and b", "bob@example.com");
    const auto docs = h.commit({{"docs/x.md", {"doc 2\n"}}}, "Docs");
    auto ix = h.index();
    const auto& f = h.record(ix, third).features;
    using namespace history;
    CHECK(f[kLA] == 3);
    CHECK(f[kLD] == 1);
    CHECK(f[kNF] == 2);
    CHECK(f[kNS] == 2);
    CHECK(f[kNDev] == 2);      // ann and bob changed src/a.c before
    CHECK(f[kNUC] == 2);
    CHECK(f[kExp] == 1);       // bob's one earlier change
    CHECK(f[kSExp] == 1);      // in src/
    CHECK(f[kAge] == doctest::Approx(1.0));
    CHECK(f[kLT] == 10);
    CHECK(f[kFixShare] == doctest::Approx(0.5f));
    CHECK(f[kTouchesCode] == 1);
    CHECK(h.record(ix, docs).features[kTouchesCode] == 0);
    CHECK(h.record(ix, docs).features[kFix] == 0);
  }

  TEST_CASE("an incremental update equals a full rebuild") {
    HistoryRepo h("incremental");
    std::vector<std::string> shas;
    for (int i = 0; i < 12; ++i) {
      std::string path = i % 3 == 0 ? "src/a.c" : "src/b.c";
      shas.push_back(h.commit({{path, {numbered(10 + i, {{1 + i % 5, "int changed" + std::to_string(i) + ";"}})}}},
                              i % 4 == 3 ? "fix: bug " + std::to_string(i) : "Change " + std::to_string(i),
                              i % 2 ? "bob@example.com" : "ann@example.com"));
    }
    const std::string final_tip = h.tip;
    h.tip = shas[5];
    history::BuildStats first;
    h.index(&first);
    CHECK(first.rebuilt);
    CHECK(first.added == 6);
    h.tip = final_tip;
    history::BuildStats second;
    auto incremental = h.index(&second);
    CHECK_FALSE(second.rebuilt);
    CHECK(second.added == 6);

    auto opts = h.options();
    opts.dir = h.dir / "full";
    auto full = *history::update_index(h.repo.get(), final_tip, opts);
    REQUIRE(full.commits.size() == incremental.commits.size());
    for (std::size_t i = 0; i < full.commits.size(); ++i) {
      CHECK(full.commits[i].sha == incremental.commits[i].sha);
      CHECK(full.commits[i].features == incremental.commits[i].features);
      CHECK(full.commits[i].fixed_at == incremental.commits[i].fixed_at);
    }
    for (const char* p : {"src/a.c", "src/b.c"}) {
      CHECK(full.file(p)->origin == incremental.file(p)->origin);
      CHECK(full.file(p)->commits == incremental.file(p)->commits);
    }
    // Six new commits stay in memory: the file is not rewritten for them.
    CHECK(history::load_index(history::index_file(h.dir / "index")).tip == shas[5]);
    // A new process reads the file and indexes them again: the same index.
    history::forget_loaded_indexes();
    auto reread = h.index(&second);
    CHECK(second.added == 6);
    CHECK(reread.tip == final_tip);
    CHECK(reread.file("src/b.c")->origin == full.file("src/b.c")->origin);
    // Saved on every update, the file itself is the same again.
    auto every = h.options();
    every.save_every = 1;
    history::forget_loaded_indexes();
    history::update_index(h.repo.get(), final_tip, every);
    auto loaded = history::load_index(history::index_file(h.dir / "index"));
    CHECK(loaded.tip == final_tip);
    CHECK(loaded.file("src/b.c")->origin == full.file("src/b.c")->origin);
  }

  TEST_CASE("one-commit updates are made in memory and the file is rewritten every save_every commits") {
    HistoryRepo h("save-every");
    std::vector<std::string> shas;
    for (int i = 0; i < 7; ++i) shas.push_back(h.commit({{"a.c", {numbered(3 + i)}}}, "Change"));
    auto opts = h.options();
    opts.save_every = 3;
    history::update_index(h.repo.get(), shas[0], opts);  // a new index is saved at once
    const auto file = history::index_file(h.dir / "index");
    CHECK(history::load_index(file).commits.size() == 1);
    for (int i = 1; i <= 6; ++i) {
      history::BuildStats st;
      auto ix = history::update_index(h.repo.get(), shas[static_cast<std::size_t>(i)], opts, &st);
      CHECK(st.added == 1);
      CHECK(ix->commits.size() == static_cast<std::size_t>(i + 1));
      // On disk: the last multiple of three commits past the first.
      CHECK(history::load_index(file).commits.size() == static_cast<std::size_t>(1 + i / 3 * 3));
    }
    // A base the index in memory already has costs nothing.
    history::BuildStats st;
    history::update_index(h.repo.get(), shas[2], opts, &st);
    CHECK(st.added == 0);
    CHECK(st.as_of == shas[2]);
  }

  TEST_CASE("a missing, cut-short, corrupt, foreign-version or rewritten index is refused or rebuilt, never trusted") {
    HistoryRepo h("corrupt");
    h.commit({{"a.c", {"a\n"}}}, "One");
    h.commit({{"a.c", {"b\n"}}}, "Two");
    h.index();
    const auto file = history::index_file(h.dir / "index");
    const std::string good = test::read_text(file);
    REQUIRE(good.size() > 100);
    std::string why;
    CHECK(history::load_index(file, &why).commits.size() == 2);
    CHECK(why.empty());
    CHECK(history::load_index(h.dir / "index" / "none.idx", &why).commits.empty());
    CHECK(why == "no index yet");
    CHECK(history::load_index(h.dir, &why).commits.empty());  // a directory
    CHECK(why == "the index file cannot be read");
    // Cut short at any length: refused with a reason, never a crash.
    const auto cut = h.dir / "index" / "cut.idx";
    for (std::size_t n = 0; n < good.size(); n += n < 64 ? 1 : 97) {
      test::write_text(cut, good.substr(0, n));
      why.clear();
      CAPTURE(n);
      CHECK(history::load_index(cut, &why).commits.empty());
      CHECK_FALSE(why.empty());
    }

    {
      std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(20);
      f.put('\x7f');
    }
    // What a new process finds (this one still has the good index in memory).
    history::forget_loaded_indexes();
    history::BuildStats st;
    auto ix = h.index(&st);
    CHECK(st.rebuilt);
    CHECK(st.rebuild_reason.find("corrupt") != std::string::npos);
    CHECK(ix.commits.size() == 2);

    test::write_text(file, "not an index");
    history::forget_loaded_indexes();
    h.index(&st);
    CHECK(st.rebuilt);

    // A well-formed file whose ids point outside their tables (a forged or
    // buggy file with a valid checksum) is refused too.
    auto forged = history::load_index(file);
    forged.files[0].commits = {99};  // no such commit
    history::save_index(forged, file);
    CHECK(history::load_index(file, &why).commits.empty());
    CHECK(why.find("bad commit list of a file") != std::string::npos);

    // History rewritten under the index (a force push): rebuilt from the new line.
    h.tip = "";
    h.commit({{"z.c", {"z\n"}}}, "New root");
    auto rewritten = h.index(&st);
    CHECK(st.rebuilt);
    CHECK(rewritten.commits.size() == 1);
  }

  TEST_CASE("an update that runs out of time saves its progress and the next goes on") {
    HistoryRepo h("deadline");
    for (int i = 0; i < 6; ++i) h.commit({{"a.c", {numbered(3 + i)}}}, "Change");
    auto opts = h.options();
    int budget = 2;
    opts.expired = [&budget] { return budget-- <= 0; };
    history::BuildStats st;
    auto part = *history::update_index(h.repo.get(), h.tip, opts, &st);
    CHECK_FALSE(st.complete);
    CHECK(part.commits.size() == 2);
    CHECK(st.remaining == 4);
    auto rest = h.index(&st);
    CHECK(st.complete);
    CHECK(st.added == 4);
    CHECK(rest.commits.size() == 6);
  }

  TEST_CASE("an import too large for the deadline is left whole for the next update; bulk files are not followed") {
    HistoryRepo h("import");
    const auto first = h.commit({{"a.c", {"a\n"}}}, "One");
    std::map<std::string, git::FileChange> import;
    for (int i = 0; i < 5000; ++i) import["third/f" + std::to_string(i) + ".c"] = {"x\n"};
    import["a.c"] = {"b\n"};
    const auto big = h.commit(import, "Import everything");
    auto opts = h.options();
    int calls = 0;
    // Two checks pass (before each commit); the first poll inside the
    // import's diff says stop.
    opts.expired = [&calls] { return ++calls > 2; };
    history::BuildStats st;
    auto part = history::update_index(h.repo.get(), big, opts, &st);
    CHECK_FALSE(st.complete);
    CHECK(part->commits.size() == 1);
    CHECK(part->tip == first);
    CHECK(history::load_index(history::index_file(h.dir / "index")).tip == first);
    // Given time, the import is indexed whole: a bulk commit, its added
    // files not followed, the file it changes followed.
    auto ix = h.index(&st);
    CHECK(st.complete);
    REQUIRE(ix.commits.size() == 2);
    CHECK(h.record(ix, big).bulk);
    CHECK(ix.file("third/f0.c") == nullptr);
    CHECK(ix.file("a.c")->commits.size() == 2);
  }

  TEST_CASE("odd history: broken dates, authors without e-mail, binary-only changes") {
    HistoryRepo h("odd");
    h.commit({{"a.c", {"a\n"}}}, "One");
    const auto before = h.time;
    h.time = 0;  // a clock from 1970
    const auto broken = h.commit({{"img.png", {std::string("\x89PNG\0\0\x01", 7)}}}, "Binary only");
    h.time = before;
    // git accepts "nobody <>"; libgit2's signature API does not, so the
    // commit object is written by hand.
    {
      git_oid parent, tree_id, id;
      git_oid_fromstr(&parent, h.tip.c_str());
      git_commit* pc = nullptr;
      REQUIRE(git_commit_lookup(&pc, h.repo.get(), &parent) == 0);
      git_oid_cpy(&tree_id, git_commit_tree_id(pc));
      git_commit_free(pc);
      char tree_hex[GIT_OID_HEXSZ + 1];
      git_oid_tostr(tree_hex, sizeof tree_hex, &tree_id);
      const std::string raw = std::string("tree ") + tree_hex + "\nparent " + h.tip +
                              "\nauthor nobody <> 1600500000 +0000\ncommitter nobody <> 1600500000 +0000\n\nNo e-mail\n";
      git_odb* odb = nullptr;
      REQUIRE(git_repository_odb(&odb, h.repo.get()) == 0);
      REQUIRE(git_odb_write(&id, odb, raw.data(), raw.size(), GIT_OBJECT_COMMIT) == 0);
      git_odb_free(odb);
      char hex[GIT_OID_HEXSZ + 1];
      git_oid_tostr(hex, sizeof hex, &id);
      h.tip = hex;
    }
    auto ix = h.index();
    REQUIRE(ix.commits.size() == 3);
    CHECK(h.record(ix, broken).time == ix.commits[0].time);  // never before its parent
    CHECK(ix.author("nobody") != nullptr);
    CHECK(ix.file("img.png")->origin.empty());
    CHECK(h.record(ix, broken).features[history::kLA] == 0);
  }

  TEST_CASE("training rows know only what was known at the split: no label leaks across it") {
    HistoryRepo h("leak");
    const auto early = h.commit({{"src/a.c", {numbered(10)}}}, "Add a");
    const auto young = h.commit({{"src/b.c", {numbered(10)}}}, "Add b");
    h.time += 200 * 86400;
    const auto revert = h.commit({{"src/a.c", {std::nullopt}}}, "Revert \"Add a\"\n\nThis reverts commit " + early + ".");
    auto ix = h.index();
    const auto split = h.record(ix, revert).time;  // rows as known just before the revert
    auto rows = history::training_rows(history::MemoryIndex(ix), split, 90);
    // "Add a" is not yet known to be reverted, and is old enough to be a negative.
    REQUIRE(rows.size() == 2);
    CHECK_FALSE(rows[0].positive);
    // After the revert it is a positive.
    auto later = history::training_rows(history::MemoryIndex(ix), split + 1, 90);
    CHECK(later[0].positive);
    // A commit younger than the maturity window is never a negative.
    auto fresh = history::training_rows(history::MemoryIndex(ix), h.record(ix, young).time + 86400, 90);
    CHECK(fresh.empty());
  }
  TEST_CASE("an evaluation's label: reverted only, blamed by a fix only, or either, by what was known then") {
    history::CommitFacts c;
    c.reverted_at = 100;
    history::CommitFacts f;
    f.fixed_at = 200;
    using history::EvalLabel;
    CHECK(history::labelled_at(c, EvalLabel::revert, 100));
    CHECK_FALSE(history::labelled_at(c, EvalLabel::revert, 99));  // not yet reverted
    CHECK_FALSE(history::labelled_at(c, EvalLabel::fix, 1000));
    CHECK(history::labelled_at(c, EvalLabel::any, 100));
    CHECK(history::labelled_at(f, EvalLabel::fix, 200));
    CHECK_FALSE(history::labelled_at(f, EvalLabel::revert, 1000));  // blamed, never reverted: an "other" change
    CHECK(history::labelled_at(f, EvalLabel::any, 1000));
    CHECK_FALSE(history::labelled_at(history::CommitFacts{}, EvalLabel::any, 1000));
  }
}
