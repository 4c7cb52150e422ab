#include "support/webhooks.h"

#include <filesystem>
#include <stdexcept>

#include "support/testutil.h"

namespace reviewer::test {

std::vector<nlohmann::json> webhook_examples(const std::string& event) {
  static const nlohmann::json index = [] {
    auto p = std::filesystem::path(REVIEWER_SOURCE_DIR) /
             "tests/tools/node_modules/@octokit/webhooks-examples/api.github.com/index.json";
    if (!std::filesystem::exists(p)) {
      throw std::runtime_error(p.string() + " is missing: run `npm ci --prefix tests/tools`");
    }
    return nlohmann::json::parse(read_text(p));
  }();
  for (const auto& e : index) {
    if (e.at("name") == event) return e.at("examples").get<std::vector<nlohmann::json>>();
  }
  return {};
}

}  // namespace reviewer::test
