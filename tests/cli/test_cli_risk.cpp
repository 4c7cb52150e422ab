// `reviewer risk eval` end to end: which changes count as bad after the
// split (--label) and the per-commit rows it writes for studies (--rows),
// on a history whose reverts and fixes the test planted.
#include <doctest/doctest.h>

#include <ctime>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/cli_fixture.h"
#include "history/history_repo.h"

using namespace reviewer;
using namespace reviewer::test;
using nlohmann::json;

namespace risk_cli {

std::string day_of(long long t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// 320 daily commits on main over eight files. Commits 20, 40, 60, 80 (before
// the split) and 130, 150, 170 (after it, old enough to be labelled) are
// reverted five days later; 138 and 158 get a fix the next day that rewrites
// the lines they added. Returns the split's date (commit 120's day).
struct PlantedHistory {
  HistoryRepo h{"risk-cli"};
  std::string split;
  std::map<int, std::string> sha;     // commit number -> sha
  std::map<int, std::string> revert;  // reverted commit number -> its revert's sha
  std::vector<std::string> first_parent;

  PlantedHistory() {
    std::map<std::string, std::string> text;
    std::map<int, int> revert_due;                       // day -> reverted commit number
    std::map<int, std::pair<std::string, int>> fix_due;  // day -> file and fixed commit number
    for (int i = 1; i <= 320; ++i) {
      const std::string path = "src/f" + std::to_string(i % 8) + ".cpp";
      std::string& t = text[path];
      t += "int v" + std::to_string(i) + "() { return " + std::to_string(i) + "; }\n";
      sha[i] = h.commit({{path, {t}}}, "Add v" + std::to_string(i) + "\n\nNeeded by the exporter.\n",
                        i % 3 == 0 ? "ann@example.com" : (i % 3 == 1 ? "bob@example.com" : "cy@example.com"));
      first_parent.push_back(sha[i]);
      if (i == 120) split = day_of(h.time);
      for (int r : {20, 40, 60, 80, 130, 150, 170}) {
        if (i == r) revert_due[i + 5] = r;
      }
      if (i == 138 || i == 158) fix_due[i + 1] = {path, i};
      if (auto f = fix_due.find(i); f != fix_due.end()) {
        const auto& [fpath, target] = f->second;
        std::string& ft = text[fpath];
        const std::string bad = "int v" + std::to_string(target) + "() { return " + std::to_string(target) + "; }\n";
        ft.replace(ft.find(bad), bad.size(),
                   "int v" + std::to_string(target) + "() { return -" + std::to_string(target) + "; }\n");
        first_parent.push_back(h.commit({{fpath, {ft}}}, "Fix wrong sign in v" + std::to_string(target) + "\n"));
      }
      if (auto d = revert_due.find(i); d != revert_due.end()) {
        const int r = d->second;
        // Drop r's own line, keep the lines added since.
        const std::string rpath = "src/f" + std::to_string(r % 8) + ".cpp";
        std::string& cur = text[rpath];
        const std::string line = "int v" + std::to_string(r) + "() { return " + std::to_string(r) + "; }\n";
        cur.erase(cur.find(line), line.size());
        revert[r] = h.commit({{rpath, {cur}}},
                             "Revert \"Add v" + std::to_string(r) + "\"\n\nThis reverts commit " + sha[r] + ".\n");
        first_parent.push_back(revert[r]);
      }
    }
  }
};

json eval_json(const PlantedHistory& p, const std::string& extra) {
  auto r = reviewer_cli("risk eval --repo '" + p.h.dir.string() + "/repo' --split " + p.split + " --format json " + extra);
  INFO(r.err);
  REQUIRE(r.rc == 0);
  return json::parse(r.out);
}

}  // namespace risk_cli

TEST_SUITE("cli::risk") {
  TEST_CASE("risk eval: --label picks reverted, fix-blamed or either; --rows writes one line per commit") {
    risk_cli::PlantedHistory p;
    const auto rows = p.h.dir / "rows.jsonl";

    const json revert = risk_cli::eval_json(p, "--label revert --rows '" + rows.string() + "'");
    CHECK(revert["label"] == "revert");
    // 130, 150 and 170 were reverted; every other change after the split was not.
    CHECK(revert["test_positives"] == 3);

    const json fix = risk_cli::eval_json(p, "--label fix");
    CHECK(fix["label"] == "fix");
    CHECK(fix["test_positives"] == 2);  // 138 and 158, blamed by their fixes; the reverted three are not

    const json any = risk_cli::eval_json(p, "");
    CHECK(any["label"] == "any");  // the default is what the model learns
    CHECK(any["test_positives"] == 5);  // the three reverted and the two fixed
    // The same changes are scored whatever the label.
    CHECK(any["test_changes"] == revert["test_changes"]);
    CHECK(any["test_changes"] == fix["test_changes"]);

    // --rows: every first-parent commit once, with what later happened to it.
    std::istringstream in(read_text(rows));
    std::map<std::string, json> by_sha;
    for (std::string line; std::getline(in, line);) {
      const json j = json::parse(line);
      by_sha[j["sha"].get<std::string>()] = j;
    }
    CHECK(by_sha.size() == p.first_parent.size());
    for (const auto& s : p.first_parent) CHECK(by_sha.count(s) == 1);
    for (const auto& [n, rsha] : p.revert) {
      INFO("reverted commit ", n);
      const json& c = by_sha.at(p.sha.at(n));
      const json& r = by_sha.at(rsha);
      CHECK(r["revert"] == true);
      CHECK(c["reverted_by"] == r["i"]);
      CHECK(c["reverted_at"] == r["time"]);
      CHECK(c["paths"] == json::array({"src/f" + std::to_string(n % 8) + ".cpp"}));
    }
    const json& kept = by_sha.at(p.sha.at(131));
    CHECK(kept["reverted_by"].is_null());
    CHECK(kept["reverted_at"] == 0);
    CHECK(kept["fixed_at"] == 0);
    CHECK(by_sha.at(p.sha.at(138))["fixed_at"].get<long long>() > 0);
    CHECK(kept["features"].is_object());
    CHECK(kept["subject"] == "Add v131");
  }

  TEST_CASE("risk eval refuses an unknown --label and an unwritable --rows with a clear error") {
    risk_cli::PlantedHistory p;
    auto bad = reviewer_cli("risk eval --repo '" + p.h.dir.string() + "/repo' --label reverted");
    CHECK(bad.rc != 0);
    CHECK(bad.err.find("--label") != std::string::npos);
    auto unwritable = reviewer_cli("risk eval --repo '" + p.h.dir.string() + "/repo' --split " + p.split +
                                   " --rows '" + p.h.dir.string() + "/no/such/dir/rows.jsonl'");
    CHECK(unwritable.rc != 0);
    CHECK(unwritable.err.find("--rows: cannot write") != std::string::npos);
  }
}
