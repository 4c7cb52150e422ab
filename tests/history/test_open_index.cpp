// What a review reads of the history index file (open_index), and what the
// process keeps of it between reviews.
#include <doctest/doctest.h>

#include "history_repo.h"
#include "reviewer/git/history/flat_index.h"
#include "reviewer/git/history/index_cache.h"

using namespace reviewer;
using test::HistoryRepo;
using test::numbered;

namespace {

// `n` more commits over four files by two authors, every third a fix.
void grow(HistoryRepo& h, int n, int from) {
  for (int k = from; k < from + n; ++k) {
    h.commit({{"src/f" + std::to_string(k % 4) + ".c", {numbered(8 + k % 5, {{1 + k % 7, "edit " + std::to_string(k)}})}}},
             k % 3 == 2 ? "fix: change " + std::to_string(k) : "Change " + std::to_string(k),
             k % 2 ? "bob@example.com" : "ann@example.com");
  }
}

std::shared_ptr<const history::IndexView> review(const HistoryRepo& h, const std::string& base, history::BuildStats* st = nullptr) {
  return history::open_index(h.repo.get(), base, h.options(), st);
}

// `n` commits indexed and saved; then, as in a new process, a review of
// the tip reads the file in place. Returns the tip.
std::string read_in_place(HistoryRepo& h, int n) {
  grow(h, n, 0);
  h.index();
  history::forget_loaded_indexes();
  REQUIRE(dynamic_cast<const history::FlatIndex*>(review(h, h.tip).get()) != nullptr);
  return h.tip;
}

}  // namespace

TEST_SUITE("history::open_index") {
  TEST_CASE("a review whose base is not in the file yet reads and checks each byte of the file once") {
    HistoryRepo h("open-once");
    grow(h, 30, 0);
    h.index();  // a new index is saved at once
    const auto size = std::filesystem::file_size(history::index_file(h.dir / "index"));
    grow(h, 3, 30);  // fewer than save_every: the update keeps them in memory
    history::forget_loaded_indexes();
    const auto before = history::read_counts();
    history::BuildStats st;
    const auto view = review(h, h.tip, &st);
    const auto after = history::read_counts();
    CHECK(st.added == 3);
    CHECK(view->commit_count() == 33);
    // The review's sections, then the rest for the update; the header is
    // also read once on its own before them.
    CHECK(after.read - before.read >= size);
    CHECK(after.read - before.read <= size + sizeof(history::flat::Header) + 64);
    CHECK(after.checked - before.checked <= size);
  }

  TEST_CASE("a file saved by another process after a review read it is read anew, never completed from the old read") {
    HistoryRepo h("open-replaced");
    read_in_place(h, 20);
    const auto file = history::index_file(h.dir / "index");
    std::string why;
    const auto in_place = history::FlatIndex::open(file, &why);
    REQUIRE_MESSAGE(in_place, why);
    // Completed from the same file, it is the file loaded whole.
    const auto whole = in_place->completed(file, &why);
    REQUIRE_MESSAGE(whole, why);
    CHECK(history::encode_index(whole->decode()) == history::encode_index(history::load_index(file)));

    // Another process indexes five more commits and saves them.
    grow(h, 5, 20);
    const std::string saved = h.tip;
    auto other = h.options();
    other.write = false;
    history::save_index(*history::update_index(h.repo.get(), saved, other), file);
    CHECK(in_place->completed(file, &why) == nullptr);
    CHECK(why.find("replaced") != std::string::npos);

    grow(h, 2, 25);
    history::BuildStats st;
    const auto view = review(h, h.tip, &st);
    CHECK(st.added == 2);  // on top of the other process's save
    CHECK_FALSE(st.rebuilt);
    CHECK(view->commit_count() == 27);
    CHECK(view->commit_id(saved) == 24u);
  }
  TEST_CASE("reviews alternating between two repositories read each index file once") {
    HistoryRepo a("open-alternate-a"), b("open-alternate-b");
    grow(a, 12, 0);
    grow(b, 15, 0);
    a.index();
    b.index();
    history::forget_loaded_indexes();
    CHECK(dynamic_cast<const history::FlatIndex*>(review(a, a.tip).get()) != nullptr);
    CHECK(dynamic_cast<const history::FlatIndex*>(review(b, b.tip).get()) != nullptr);
    const auto read = history::read_counts().read;
    for (int i = 0; i < 3; ++i) {
      CHECK(review(a, a.tip)->commit_count() == 12);
      CHECK(review(b, b.tip)->commit_count() == 15);
    }
    CHECK(history::read_counts().read == read);
  }

  TEST_CASE("after an update a review sees the updated index, and the view read before it is let go") {
    HistoryRepo h("open-update");
    const std::string first = read_in_place(h, 10);
    auto view = review(h, first);
    const std::weak_ptr<const history::IndexView> before = view;
    view.reset();
    grow(h, 2, 10);
    history::update_index(h.repo.get(), h.tip, h.options());  // kept in memory: fewer than save_every
    CHECK(before.expired());
    view = review(h, first);
    CHECK(view->commit_count() == 12);
    CHECK(view->commit_id(h.tip) == 11u);
  }
  TEST_CASE("a review while an update completes the view of the same index reads nothing") {
    HistoryRepo h("open-during-update");
    const std::string first = read_in_place(h, 10);
    grow(h, 3, 10);
    auto opts = h.options();
    bool reviewed = false;
    std::uint64_t read = 0;
    opts.expired = [&] {  // polled between the commits the update adds
      if (!reviewed) {
        reviewed = true;
        const auto before = history::read_counts().read;
        CHECK(review(h, first)->commit_count() == 10);
        read = history::read_counts().read - before;
      }
      return false;
    };
    history::BuildStats st;
    history::update_index(h.repo.get(), h.tip, opts, &st);
    CHECK(st.added == 3);
    REQUIRE(reviewed);
    CHECK(read == 0);
  }
}

TEST_SUITE("history::IndexCache") {
  TEST_CASE("a view read before an update saved never replaces the update's whole index") {
    HistoryRepo h("cache-stale-view");
    grow(h, 10, 0);
    h.index();
    const auto file = history::index_file(h.dir / "index");
    const auto older = history::FlatIndex::open(file);  // read at this version
    REQUIRE(older);
    grow(h, 70, 10);  // more than save_every: the update saves a new version
    history::forget_loaded_indexes();
    h.index();
    history::IndexCache cache;
    auto whole = std::make_shared<history::HistoryIndex>(history::load_index(file, nullptr));
    cache.put("k", {whole, nullptr, history::stamp_of(file), whole->commits.size()});
    REQUIRE(older->stamp() != history::stamp_of(file));
    cache.put_view("k", std::shared_ptr<const history::FlatIndex>(older.get(), [](const history::FlatIndex*) {}));
    const auto kept = cache.find("k");
    CHECK(kept.index == whole);
    CHECK(kept.flat == nullptr);
    // Without a whole index, the view is kept.
    cache.put_view("v", std::shared_ptr<const history::FlatIndex>(older.get(), [](const history::FlatIndex*) {}));
    CHECK(cache.find("v").flat.get() == older.get());
  }
}
