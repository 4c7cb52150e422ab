#include <doctest/doctest.h>

#include <functional>
#include <map>
#include <random>
#include <set>

#include "history_repo.h"
#include "reviewer/core/error.h"
#include "reviewer/git/history/change_features.h"
#include "reviewer/git/history/features.h"
#include "reviewer/git/history/flat_index.h"
#include "subagents/history/explain.h"
#include "subagents/history/learning.h"

using namespace reviewer;
using test::HistoryRepo;
using test::numbered;

namespace {

// A seeded history: files added, edited, renamed and deleted in a few
// folders by five authors; fixes that blame earlier edits, reverts by sha,
// and merges of side branches.
struct GeneratedHistory {
  HistoryRepo h;
  std::vector<std::string> paths_ever;  // every path any commit had
  std::vector<std::string> commits;

  GeneratedHistory(const std::string& label, int n, unsigned seed) : h(label) {
    std::mt19937 rng(seed);
    std::map<std::string, std::string> live;  // path -> content
    const char* folders[] = {"src/core/", "src/net/", "docs/", "lib/", "tests/"};
    const char* authors[] = {"ann@example.com", "bob@example.com", "cat@example.com", "dan@example.com", "eve@example.com"};
    auto pick = [&](std::size_t k) { return static_cast<std::size_t>(rng() % k); };
    auto any_live = [&] {
      auto it = live.begin();
      std::advance(it, static_cast<long>(pick(live.size())));
      return it->first;
    };
    for (int i = 0; i < n; ++i) {
      std::map<std::string, git::FileChange> change;
      std::string message = "Change " + std::to_string(i);
      const std::size_t op = live.size() < 4 ? 0 : pick(10);
      if (op <= 2) {  // add
        const std::string path = std::string(folders[pick(5)]) + "f" + std::to_string(i) + (pick(2) ? ".c" : ".md");
        live[path] = numbered(5 + static_cast<int>(pick(30)));
        change[path] = {live[path]};
      } else if (op <= 6) {  // edit one or two files, sometimes as a fix
        for (std::size_t k = 0; k < 1 + pick(2); ++k) {
          const std::string path = any_live();
          live[path] = numbered(5 + static_cast<int>(pick(30)), {{static_cast<int>(pick(5)) + 1, "edit " + std::to_string(i)}});
          change[path] = {live[path]};
        }
        if (pick(3) == 0) message = "fix: repair change " + std::to_string(i);
      } else if (op == 7) {  // rename (same content elsewhere)
        const std::string from = any_live();
        const std::string to = std::string(folders[pick(5)]) + "moved" + std::to_string(i) + ".c";
        change[from] = {std::nullopt};
        change[to] = {live[from]};
        live[to] = live[from];
        live.erase(from);
      } else if (op == 8 && !commits.empty()) {  // revert an earlier commit by sha (as its message says)
        const std::string path = any_live();
        change[path] = {std::nullopt};
        live.erase(path);
        message = "Revert \"Change\"\n\nThis reverts commit " + commits[pick(commits.size())] + ".";
      } else {  // a side branch merged in
        const std::string path = any_live();
        live[path] = numbered(7, {{2, "side " + std::to_string(i)}});
        const std::string side = h.side("topic" + std::to_string(i), h.tip, {{path, {live[path]}}}, "Side work");
        commits.push_back(h.merge(side, "Merge pull request #" + std::to_string(i)));
        continue;
      }
      for (const auto& [p, c] : change) paths_ever.push_back(p);
      commits.push_back(h.commit(change, message, authors[pick(5)]));
    }
    std::sort(paths_ever.begin(), paths_ever.end());
    paths_ever.erase(std::unique(paths_ever.begin(), paths_ever.end()), paths_ever.end());
    paths_ever.push_back("no/such/file.c");
  }
};

std::vector<std::uint32_t> vec(std::span<const std::uint32_t> s) { return {s.begin(), s.end()}; }

// Everything a reader can ask, asked of both forms.
void check_same(const history::IndexView& a, const history::IndexView& b, const std::vector<std::string>& paths,
                const std::vector<std::string>& shas) {
  REQUIRE(a.commit_count() == b.commit_count());
  REQUIRE(a.author_count() == b.author_count());
  CHECK(a.shallow() == b.shallow());
  for (std::size_t i = 0; i < a.commit_count(); ++i) {
    const auto &x = a.commit(i), &y = b.commit(i);
    CHECK(x.time == y.time);
    CHECK(x.author == y.author);
    CHECK((x.fix == y.fix && x.revert == y.revert && x.bulk == y.bulk));
    CHECK((x.reverted_at == y.reverted_at && x.fixed_at == y.fixed_at));
    CHECK((x.reverted_by == y.reverted_by && x.fixed_by == y.fixed_by));
    CHECK(x.features == y.features);
    CHECK(a.commit_sha(i) == b.commit_sha(i));
    CHECK(b.commit_id(a.commit_sha(i)) == i);
  }
  for (const auto& sha : shas) {
    CHECK(a.commit_id(sha) == b.commit_id(sha));
    CHECK(a.merged(sha) == b.merged(sha));
  }
  std::set<std::string> subsystems;
  for (const auto& p : paths) subsystems.insert(history::subsystem_of(p));
  for (const std::size_t as_of : {std::size_t{0}, a.commit_count() / 3, a.commit_count() / 2, a.commit_count()}) {
    for (const auto& p : paths) {
      CAPTURE(p);
      const auto fa = a.file_as_of(p, as_of), fb = b.file_as_of(p, as_of);
      REQUIRE(fa.has_value() == fb.has_value());
      if (!fa) continue;
      CHECK(fa->id == fb->id);
      CHECK(vec(fa->commits) == vec(fb->commits));
      CHECK(vec(fa->authors) == vec(fb->authors));
      CHECK((fa->last_time == fb->last_time && fa->fixes == fb->fixes && fa->reverts == fb->reverts && fa->lines == fb->lines));
      for (std::uint32_t au = 0; au < a.author_count(); ++au) {
        CHECK(vec(a.author_file_commits(au, fa->id)) == vec(b.author_file_commits(au, fa->id)));
      }
    }
  }
  for (std::uint32_t au = 0; au < a.author_count(); ++au) {
    CHECK(vec(a.author_commits(au)) == vec(b.author_commits(au)));
    for (const auto& s : subsystems) CHECK(vec(a.author_subsystem_commits(au, s)) == vec(b.author_subsystem_commits(au, s)));
  }
  for (const char* key : {"ann@example.com", "bob@example.com", "eve@example.com", "nobody@example.com"}) {
    CHECK(a.author_id(key) == b.author_id(key));
  }
}

// The features and explanations of changes touching each path (and pairs),
// at several points of the history, from both forms.
void check_same_answers(const history::IndexView& a, const history::IndexView& b, const std::vector<std::string>& paths) {
  std::array<double, history::kFeatureCount> push{};
  push.fill(1.0);
  for (const std::size_t as_of : {a.commit_count() / 2, a.commit_count()}) {
    for (std::size_t i = 0; i < paths.size(); ++i) {
      history::ChangeShape c;
      c.time = as_of ? a.commit(as_of - 1).time + 3600 : 0;
      c.author = static_cast<std::uint32_t>(i % a.author_count());
      c.files.push_back({paths[i], paths[i], 3, 1, std::nullopt});
      c.files.push_back({paths[(i * 7) % paths.size()], "", 0, 4, std::nullopt});
      const auto fa = history::change_features(a, c, as_of);
      CHECK(fa == history::change_features(b, c, as_of));
      CHECK(history::explain_risk(a, c, as_of, fa, push, 6) == history::explain_risk(b, c, as_of, fa, push, 6));
    }
  }
  const auto ra = history::training_rows(a, a.commit(a.commit_count() - 1).time + 1, 30);
  const auto rb = history::training_rows(b, b.commit(b.commit_count() - 1).time + 1, 30);
  REQUIRE(ra.size() == rb.size());
  for (std::size_t i = 0; i < ra.size(); ++i) CHECK((ra[i].x == rb[i].x && ra[i].positive == rb[i].positive));
}

}  // namespace

TEST_SUITE("history::FlatIndex") {
  TEST_CASE("the index read in place answers every question as the index in memory, on a generated history") {
    GeneratedHistory g("flat-generated", 320, 22);
    const auto shared = std::make_shared<const history::HistoryIndex>(g.h.index());
    const history::MemoryIndex memory(shared);
    REQUIRE(memory.commit_count() > 300);
    CHECK(shared->positives() > 5);        // fixes blamed something and reverts found their targets
    CHECK(!shared->merged_ids.empty());
    CHECK(!shared->former_ids.empty());    // renames and deletions
    std::string why;
    const auto in_place = history::FlatIndex::open(history::index_file(g.h.dir / "index"), &why);
    REQUIRE_MESSAGE(in_place, why);
    std::vector<std::string> shas = g.commits;
    for (const auto& [sha, merge] : shared->merged_ids) shas.push_back(sha);
    shas.push_back("0000000000000000000000000000000000000000");
    check_same(memory, *in_place, g.paths_ever, shas);
    check_same_answers(memory, *in_place, g.paths_ever);
    // Decoded whole, it is the index that was saved, byte for byte.
    const std::string saved = history::encode_index(*shared);
    const auto whole = history::FlatIndex::from_bytes(saved, &why);
    REQUIRE(whole);
    CHECK(history::encode_index(whole->decode()) == saved);
    CHECK(whole->decode().subject_ids == shared->subject_ids);
  }

  TEST_CASE("an index updated after new commits reads back as the index in memory") {
    GeneratedHistory g("flat-updated", 120, 7);
    auto opts = g.h.options();
    opts.save_every = 1;
    history::update_index(g.h.repo.get(), g.h.tip, opts);
    const auto first_tip = g.h.tip;
    g.h.commit({{"src/core/new.c", {numbered(12)}}}, "Add new.c", "bob@example.com");
    g.h.commit({{"src/core/new.c", {numbered(12, {{3, "x"}})}}}, "fix: new.c line 3", "ann@example.com");
    const auto updated = history::update_index(g.h.repo.get(), g.h.tip, opts);
    g.paths_ever.push_back("src/core/new.c");
    std::string why;
    const auto in_place = history::FlatIndex::open(history::index_file(opts.dir), &why);
    REQUIRE_MESSAGE(in_place, why);
    CHECK(in_place->commit_count() == updated->commits.size());
    check_same(history::MemoryIndex(updated), *in_place, g.paths_ever, {first_tip, g.h.tip});
    check_same_answers(history::MemoryIndex(updated), *in_place, g.paths_ever);
    CHECK(history::encode_index(history::load_index(history::index_file(opts.dir))) == history::encode_index(*updated));
  }

  TEST_CASE("a review whose base is indexed reads the file in place; a damaged file is rebuilt by the update") {
    GeneratedHistory g("flat-open", 30, 3);
    g.h.index();
    history::forget_loaded_indexes();
    history::BuildStats st;
    auto view = history::open_index(g.h.repo.get(), g.h.tip, g.h.options(), &st);
    CHECK(dynamic_cast<const history::FlatIndex*>(view.get()) != nullptr);
    CHECK(st.as_of == g.h.tip);
    const auto file = history::index_file(g.h.dir / "index");
    std::string bytes = test::read_text(file);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
    test::write_text(file, bytes);
    view = history::open_index(g.h.repo.get(), g.h.tip, g.h.options(), &st);
    CHECK(dynamic_cast<const history::MemoryIndex*>(view.get()) != nullptr);
    CHECK(st.rebuilt);
    CHECK(view->commit_count() == g.commits.size());
  }

  TEST_CASE("every byte of a small index flipped: refused with a reason, or read with the same answers") {
    HistoryRepo h("flat-flip");
    h.commit({{"src/a.c", {numbered(6)}}}, "Add a");
    h.commit({{"src/b.c", {numbered(4)}}}, "Add b", "bob@example.com");
    h.commit({{"src/a.c", {numbered(6, {{2, "x"}})}}}, "fix: a line 2");
    h.commit({{"src/b.c", {std::nullopt}}, {"lib/b.c", {numbered(4)}}}, "Move b", "bob@example.com");
    const auto good_ix = std::make_shared<const history::HistoryIndex>(h.index());
    const std::string good = history::encode_index(*good_ix);
    const std::vector<std::string> paths = {"src/a.c", "src/b.c", "lib/b.c"};
    const history::MemoryIndex memory(good_ix);
    std::vector<std::string> shas;
    for (const auto& c : good_ix->commits) shas.push_back(c.sha);
    int refused = 0;
    for (std::size_t at = 0; at < good.size(); ++at) {
      CAPTURE(at);
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ 0xff);
      for (const bool whole : {false, true}) {
        std::string why;
        const auto ix = history::FlatIndex::from_bytes(bad, &why, whole);
        if (!ix) {
          CHECK_FALSE(why.empty());
          ++refused;
          continue;
        }
        // Opened: the flip lay in padding between sections (or, in place,
        // in a section only an update reads), and every answer is the same.
        check_same(memory, *ix, paths, shas);
        if (whole) CHECK(history::encode_index(ix->decode()) == good);
      }
    }
    CHECK(refused > static_cast<int>(good.size()));  // most flips, in both forms
  }

  TEST_CASE("a file cut short anywhere is refused with a reason") {
    GeneratedHistory g("flat-cut", 40, 5);
    const std::string good = history::encode_index(g.h.index());
    std::mt19937 rng(1);
    for (int i = 0; i < 300; ++i) {
      const std::size_t n = i < 100 ? static_cast<std::size_t>(i) : rng() % good.size();
      CAPTURE(n);
      for (const bool whole : {false, true}) {
        std::string why;
        CHECK(history::FlatIndex::from_bytes(good.substr(0, n), &why, whole) == nullptr);
        CHECK_FALSE(why.empty());
      }
    }
  }

  TEST_CASE("a forged file with valid checksums: bad records refused at open, bad lists an error when read") {
    HistoryRepo h("flat-forged");
    h.commit({{"src/a.c", {numbered(6)}}}, "Add a");
    h.commit({{"src/a.c", {numbered(6, {{2, "x"}})}}}, "Edit a", "bob@example.com");
    auto ix = h.index();
    auto forged = ix;
    forged.files[0].commits = {1, 0};  // not ascending
    std::string why;
    auto in_place = history::FlatIndex::from_bytes(history::encode_index(forged), &why, false);
    REQUIRE(in_place);
    CHECK_THROWS_AS(in_place->file_as_of("src/a.c", 2), Error);
    const auto whole = history::FlatIndex::from_bytes(history::encode_index(forged), &why, true);
    REQUIRE(whole);
    CHECK_THROWS_AS(whole->decode(), Error);
    // Every list is checked as it is decoded (records and ids at open).
    REQUIRE_FALSE(ix.authors[0].folders.empty());
    REQUIRE_FALSE(ix.authors[1].subsystems.empty());
    const std::function<void(history::HistoryIndex&)> forges[] = {
        [](auto& x) { x.files[0].blamed = {5}; },        // no such commit
        [](auto& x) { x.files[0].origin = {0, 3}; },     // commit index + 1 past the last
        [](auto& x) { x.files[0].authors = {4}; },       // no such author
        [](auto& x) { x.authors[0].commits = {1, 0}; },  // not ascending
        [](auto& x) { x.authors[0].files.begin()->second = {2}; },
        [](auto& x) { x.authors[0].folders.begin()->second = {9}; },
        [](auto& x) { x.authors[1].subsystems.begin()->second = {1, 0}; }};
    for (std::size_t i = 0; i < std::size(forges); ++i) {
      CAPTURE(i);
      forged = ix;
      forges[i](forged);
      const auto decoded = history::FlatIndex::from_bytes(history::encode_index(forged), &why, true);
      REQUIRE(decoded);
      CHECK_THROWS_AS(decoded->decode(), Error);
    }
    forged = ix;
    forged.commits[0].author = 7;  // no such author
    CHECK(history::FlatIndex::from_bytes(history::encode_index(forged), &why, false) == nullptr);
    CHECK(why.find("bad author") != std::string::npos);
    forged = ix;
    forged.authors[0].files[5] = {0};  // no such file
    CHECK(history::FlatIndex::from_bytes(history::encode_index(forged), &why, false) == nullptr);
    CHECK(why.find("bad author file") != std::string::npos);
    forged = ix;
    forged.commits[1].features[0] = -1;
    CHECK(history::FlatIndex::from_bytes(history::encode_index(forged), &why, false) == nullptr);
    // A lookup table that names another record than the one with its key:
    // a lookup would answer for the wrong commit or author.
    forged = ix;
    std::swap(forged.commit_ids.at(ix.commits[0].sha), forged.commit_ids.at(ix.commits[1].sha));
    CHECK(history::FlatIndex::from_bytes(history::encode_index(forged), &why, false) == nullptr);
    CHECK(why.find("bad lookup table key") != std::string::npos);
    forged = ix;
    REQUIRE(forged.author_ids.size() == 2);
    std::swap(forged.author_ids.begin()->second, std::next(forged.author_ids.begin())->second);
    CHECK(history::FlatIndex::from_bytes(history::encode_index(forged), &why, false) == nullptr);
    CHECK(why.find("bad lookup table key") != std::string::npos);
    forged = ix;
    forged.file_ids["src/elsewhere.c"] = forged.file_ids.at("src/a.c");
    CHECK(history::FlatIndex::from_bytes(history::encode_index(forged), &why, false) == nullptr);
    CHECK(why.find("bad lookup table key") != std::string::npos);
  }
}
