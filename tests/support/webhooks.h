// GitHub's own webhook payloads, for the server, command and app tests.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace reviewer::test {

// The examples of `event` from @octokit/webhooks-examples (tests/tools,
// installed by `npm ci --prefix tests/tools`).
std::vector<nlohmann::json> webhook_examples(const std::string& event);

}  // namespace reviewer::test
