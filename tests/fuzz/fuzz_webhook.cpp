// Webhook intake without the network: the signature check, the filtered
// JSON parse and the event routing of `reviewer serve`'s handler
// (reviewer/server/server.cpp on_body), then the payload readers the job
// handler applies (reviewer/app/targets.cpp). Input: first line = the
// X-GitHub-Event header (also tried as X-Hub-Signature-256), the rest = body.
// Only reviewer::Error may leave the readers: anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reviewer/core/error.h"
#include "reviewer/github/signature.h"
#include "reviewer/github/webhook.h"
#include "reviewer/server/json_scan.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reviewer;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto nl = in.find('\n');
  const std::string event(nl == std::string_view::npos ? std::string_view("pull_request") : in.substr(0, nl));
  const std::string_view body = nl == std::string_view::npos ? in : in.substr(nl + 1);
  (void)github::verify_signature("fuzz-secret", body, event);
  const std::optional<nlohmann::json> parsed = server::parse_filtered(body, github::classify_webhook_reads);
  if (parsed) {
    try {
      (void)github::classify_webhook(event, *parsed);
    } catch (const Error&) {
    }
  }
  // The whole tree, as the job handler reads it later from the stored body.
  const nlohmann::json full = nlohmann::json::parse(body, nullptr, false);
  if (full.is_discarded()) return 0;
  try {
    (void)github::parse_pull_request_event(full);
  } catch (const Error&) {
  }
  try {
    (void)github::parse_rerequest(event, full);
  } catch (const Error&) {
  }
  try {
    (void)github::clone_url_of(full);
  } catch (const Error&) {
  }
  (void)github::installation_of(full);
  return 0;
}
