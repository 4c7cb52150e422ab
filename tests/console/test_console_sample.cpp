// The audit sample: reproducible from its seed, different for another, and
// its evidence pack's manifest names every file with the right hash.
#include <algorithm>
#include <set>

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "audit/verify.h"
#include "console_fixture.h"
#include "reviewer/console/charts.h"
#include "reviewer/console/sample.h"
#include "reviewer/core/sha256.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

// The drawn changes' links, in order.
std::vector<std::string> drawn(const std::string& page) {
  std::vector<std::string> out;
  const auto list = page.find("<ol class=\"drawn\">");
  for (auto at = page.find("<li><a href=\"", list); at != std::string::npos && at < page.find("</ol>", list);
       at = page.find("<li><a href=\"", at + 1)) {
    out.push_back(page.substr(at + 13, page.find('"', at + 13) - at - 13));
  }
  return out;
}

}  // namespace

TEST_SUITE("console::sample") {
  TEST_CASE("the draw is a seeded partial Fisher-Yates that every machine repeats") {
    // Pinned: the same seed must give the same sample on any platform.
    CHECK(draw(10, 4, 42) == draw(10, 4, 42));
    CHECK(draw(10, 4, 42) != draw(10, 4, 43));
    CHECK(draw(3, 10, 1).size() == 3);
    CHECK(draw(0, 5, 1).empty());
    auto all = draw(50, 50, 7);
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i] == i);
    // std::mt19937_64's first output for seed 5489 is fixed by the standard;
    // bounded() takes it as is when nothing is rejected.
    std::mt19937_64 rng(5489);
    CHECK(bounded(rng, 1ULL << 63) == (14514284786278117030ULL % (1ULL << 63)));
    std::mt19937_64 a(9), b(9);
    CHECK(bounded(a, 1) == 0);
    for (int i = 0; i < 1000; ++i) CHECK(bounded(b, 3) < 3);
  }

  TEST_CASE("the same seed draws the same sample, another seed another; the seed is on the page") {
    Console c(test::console_options(test::console_log(test::scratch_dir("sample")).string()));
    const auto first = test::get(c, "/sample?n=2&seed=11");
    REQUIRE(first.status == 200);
    CHECK(first.body.find("Seed <strong class=\"seed\">11</strong>: 2 of 4 changes drawn") != std::string::npos);
    CHECK(drawn(first.body).size() == 2);
    CHECK(drawn(test::get(c, "/sample?n=2&seed=11").body) == drawn(first.body));
    bool differs = false;
    for (int seed = 12; seed < 20 && !differs; ++seed) {
      differs = drawn(test::get(c, "/sample?n=2&seed=" + std::to_string(seed)).body) != drawn(first.body);
    }
    CHECK(differs);
    // The population follows the filter.
    CHECK(test::get(c, "/sample?n=5&seed=1&repo=acme/api").body.find("1 of 1 changes drawn") != std::string::npos);
    CHECK(test::get(c, "/sample?n=5&seed=1&approver=bot").body.find("1 of 1 changes drawn") != std::string::npos);
    // Without a seed, "draw" picks one and puts it in the address.
    const auto fresh = test::get(c, "/sample?n=3&repo=acme/web");
    CHECK(fresh.status == 303);
    CHECK(test::header_of(fresh, "Location").starts_with("/sample?repo=acme%2Fweb&n=3&seed="));
  }

  TEST_CASE("the evidence pack holds a page per drawn change and a manifest with each file's SHA-256") {
    const auto path = test::console_log(test::scratch_dir("pack"));
    Console c(test::console_options(path.string()));
    const auto a = test::get(c, "/sample/pack.tar?n=3&seed=5");
    REQUIRE(a.status == 200);
    CHECK(a.content_type == "application/x-tar");
    CHECK(test::header_of(a, "Content-Disposition") == "attachment; filename=\"evidence-pack-5.tar\"");
    const auto files = test::untar(a.body);
    REQUIRE(files.size() == 5);  // 3 changes, index.html, manifest.json
    CHECK(files.back().first == "manifest.json");
    const auto manifest = nlohmann::json::parse(files.back().second);
    CHECK(manifest["seed"] == "5");
    CHECK(manifest["n"] == 3);
    CHECK(manifest["population"]["size"] == 4);
    const auto head = audit::checkpoint(path);
    CHECK(manifest["chain_head"]["rows"] == head.rows);
    CHECK(manifest["chain_head"]["head_hash"] == head.head_hash);
    CHECK(manifest["chain_head"]["checkpoint"].get<std::string>().starts_with("reviewer-audit-checkpoint rows="));
    REQUIRE(manifest["files"].size() == 4);
    for (std::size_t i = 0; i < 4; ++i) {
      CAPTURE(files[i].first);
      CHECK(manifest["files"][i]["path"] == files[i].first);
      CHECK(manifest["files"][i]["sha256"] == sha256_hex(files[i].second));
      CHECK(manifest["files"][i]["bytes"] == files[i].second.size());
      CHECK(files[i].second.find("<script") == std::string::npos);  // self-contained, nothing runs
      CHECK(files[i].second.find("<img src=x") == std::string::npos);
    }
    // The pack draws the page's sample, in the same order.
    const auto page = test::get(c, "/sample?n=3&seed=5").body;
    for (std::size_t i = 0; i < 3; ++i) {
      const auto& m = manifest["sample"][i];
      CHECK(page.find("pr=" + std::to_string(m["pr_number"].get<int>())) != std::string::npos);
      CHECK(manifest["files"][i]["rows_failing_verification"] == 0);
      CHECK(files[i].second.find("rows of this change verify against the hash chain") != std::string::npos);
    }
    // Drawn again, the same page: but for the time the chain was checked
    // ("checkpoint ... at=YYYY-MM-DDTHH:MM:SSZ"), which moves on between two
    // requests that straddle a second.
    auto without_time = [](std::string page) {
      const auto at = page.find(" at=20");
      REQUIRE(at != std::string::npos);
      return page.erase(at, 24);
    };
    CHECK(without_time(test::untar(test::get(c, "/sample/pack.tar?n=3&seed=5").body)[0].second) ==
          without_time(files[0].second));
  }

  TEST_CASE("a repository name with '..' makes a file name without it, each drawn change its own file") {
    const auto path = test::console_log(test::scratch_dir("pack-dots"));
    {
      auto store = audit::AuditStore::open(path);
      for (const char* repo : {"o/x..y", "o/x._y", "../..", "o/...."}) {
        store->record_pr_event({repo, 1, "merged", "eve", std::string(40, '7'), std::string(40, '8'), 0, "",
                                "2026-01-10T00:00:00Z"});
      }
    }
    Console c(test::console_options(path.string()));
    const auto a = test::get(c, "/sample/pack.tar?n=8&seed=3");
    REQUIRE(a.status == 200);
    const auto files = test::untar(a.body);
    REQUIRE(files.size() == 10);  // 8 changes, index.html, manifest.json
    std::set<std::string> paths;
    for (const auto& [name, bytes] : files) {
      CAPTURE(name);
      CHECK(name.find("..") == std::string::npos);
      paths.insert(name);
    }
    CHECK(paths.size() == files.size());
    CHECK(std::count_if(paths.begin(), paths.end(),
                        [](const std::string& p) { return p.ends_with("-o_x._y-1.html"); }) == 2);
    CHECK(std::count_if(paths.begin(), paths.end(),
                        [](const std::string& p) { return p.ends_with("-.__._-1.html"); }) == 1);
  }

  TEST_CASE("overview figures: ISO weeks, Wilson intervals, nearest-rank percentiles") {
    CHECK(week_of("2026-01-07") == "2026-01-05");
    CHECK(week_of("2026-01-05T23:00:00Z") == "2026-01-05");
    CHECK(week_of("2026-01-04") == "2025-12-29");
    CHECK(week_of("bad") == "");
    const auto w = weekly({{"2026-01-05", "a", 2}, {"2026-01-20", "a", 1}, {"2026-01-06", "b", 4}});
    CHECK(w.weeks == std::vector<std::string>{"2026-01-05", "2026-01-12", "2026-01-19"});
    CHECK(w.series.at("a") == std::vector<std::int64_t>{2, 0, 1});
    CHECK(w.series.at("b") == std::vector<std::int64_t>{4, 0, 0});
    const auto r = wilson(5, 100);
    CHECK(r.rate == doctest::Approx(0.05));
    CHECK(r.low == doctest::Approx(0.02154).epsilon(0.001));
    CHECK(r.high == doctest::Approx(0.11175).epsilon(0.001));
    CHECK(wilson(0, 0).high == 0);
    CHECK(wilson(0, 10).low == 0);
    CHECK(percentile({5, 1, 3, 2, 4}, 0.5) == 3);
    CHECK(percentile({5, 1, 3, 2, 4}, 0.75) == 4);
    CHECK_FALSE(percentile({}, 0.5));
  }
}

}  // namespace reviewer::console
