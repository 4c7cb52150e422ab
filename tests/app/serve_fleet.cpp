#include "serve_fleet.h"

#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "server_fixture.h"

namespace reviewer::test {

PullRequestFeed::PullRequestFeed(const std::filesystem::path& dir, FakeGitHub& fake, int prs, int heads)
    : fake_(fake), prs_(prs), heads_(heads), origin_(dir / "origin.git"),
      shas_(static_cast<std::size_t>(prs) + 1), payloads_(shas_.size()), pushed_(shas_.size(), 0) {
  for (int n = 1; n <= prs; ++n) {
    auto& chain = shas_[static_cast<std::size_t>(n)];
    std::string parent = origin_.base;
    for (int k = 0; k < heads; ++k) {
      std::string text = fmt::format("def greet_{}():\n    return 'hello {}'\n", n, k);
      parent = origin_.repo.commit(fmt::format("pr-{}", n), parent, {{fmt::format("src/greet_{}.py", n), {text}}},
                                   fmt::format("Greet users, step {}", k));
      chain.push_back(parent);
    }
    origin_.move_pull(n, chain[0]);
    payloads_[static_cast<std::size_t>(n)] = pr_payload(origin_, n, chain[0], "synchronize");
    fake_.set_pull(kRepo, n, payloads_[static_cast<std::size_t>(n)]["pull_request"]);
  }
}

const std::string& PullRequestFeed::head(int n, int k) const {
  return shas_.at(static_cast<std::size_t>(n)).at(static_cast<std::size_t>(k));
}

void PullRequestFeed::push(int n, int k) {
  std::lock_guard lock(mu_);
  auto& at = pushed_.at(static_cast<std::size_t>(n));
  if (at >= k) return;
  origin_.move_pull(n, head(n, k));
  fake_.set_pull_head(kRepo, n, head(n, k));
  at = k;
}

std::string PullRequestFeed::payload(int n, int k) const {
  nlohmann::json p = payloads_.at(static_cast<std::size_t>(n));
  p["pull_request"]["head"]["sha"] = head(n, k);
  return p.dump();
}

std::map<std::string, std::string> serve_env(const std::filesystem::path& dir, const std::string& url,
                                             const FakeGitHub& fake) {
  return {{"REVIEWER_WEBHOOK_SECRET", kSecret},
          {"REVIEWER_DATA_DIR", dir.string()},
          {"REVIEWER_DATABASE_URL", url},
          {"REVIEWER_MODE", "active"},
          {"REVIEWER_WORKERS", "2"},
          {"REVIEWER_LEASE_SECONDS", "6"},
          {"REVIEWER_RETRY_BASE_MS", "100"},
          {"REVIEWER_SHUTDOWN_GRACE_SECONDS", "5"},
          {"REVIEWER_GITHUB_MUTATION_INTERVAL_MS", "0"},
          {"GITHUB_TOKEN", "ghp_fleet"},
          {"GITHUB_API_URL", fake.url()}};
}

int deliver(const std::vector<int>& ports, std::size_t first, const std::string& body, const std::string& id,
            int attempts) {
  WebhookOptions wo;
  wo.event = "pull_request";
  wo.delivery_id = id;
  int status = 0;
  for (int a = 0; a < attempts; ++a) {
    status = post_webhook(ports[(first + static_cast<std::size_t>(a)) % ports.size()], body, wo).status;
    if (status == 202 || status == 200) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return status;
}

int check_one_review_per_head(FakeGitHub& fake, const PullRequestFeed& feed) {
  int reviewed = 0;
  for (int n = 1; n <= feed.prs(); ++n) {
    std::map<std::string, int> per_head;
    for (const auto& r : fake.reviews(kRepo, n)) ++per_head[r.value("commit_id", "")];
    CAPTURE(n);
    for (const auto& [sha, count] : per_head) {
      CAPTURE(sha);
      CHECK(count == 1);
    }
    CHECK(per_head.count(feed.head(n, feed.heads() - 1)) == 1);
    reviewed += static_cast<int>(per_head.size());
  }
  return reviewed;
}

}  // namespace reviewer::test
