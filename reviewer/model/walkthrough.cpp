#include "reviewer/model/walkthrough.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reviewer/core/review_result.h"
#include "reviewer/core/sha256.h"
#include "reviewer/model/model_review.h"
#include "reviewer/model/prompts.h"

namespace reviewer::model {

namespace {

constexpr std::size_t kMaxBullets = 8;
constexpr std::size_t kMaxBulletBytes = 300;
constexpr std::size_t kMaxDataBytes = 60000;

std::string clean_bullet(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    out += c;
  }
  if (out.size() > kMaxBulletBytes) {
    std::size_t cut = kMaxBulletBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
    out += "…";
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> parse_walkthrough(const std::string& answer) {
  std::string text = answer;
  // Some servers wrap JSON in a code fence even when asked not to.
  if (auto a = text.find('{'), b = text.rfind('}'); a != std::string::npos && b != std::string::npos && b > a) {
    text = text.substr(a, b - a + 1);
  }
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("walkthrough") || !j["walkthrough"].is_array()) {
    return std::nullopt;
  }
  const auto& items = j["walkthrough"];
  if (items.empty() || items.size() > kMaxBullets) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : items) {
    if (!item.is_string()) return std::nullopt;
    std::string b = clean_bullet(item.get<std::string>());
    if (b.empty()) return std::nullopt;
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<std::string> model_walkthrough(Router& router, const PullRequest& pr, const Diff& diff) {
  auto tmpl = prompt_template("summary");
  if (!tmpl) return {};
  const std::string nonce = new_run_id().substr(0, 16);
  // The first part of the change only: a walkthrough is an overview.
  const auto prompts = build_prompts("summary", pr, diff, nonce, kMaxDataBytes);
  ChatRequest req;
  req.system = tmpl->text;
  req.messages.push_back({Message::Role::user, prompts.front(), {}, {}});
  CallMeta meta{"summary", tmpl->version, sha256_hex(req.system + "\n" + prompts.front())};
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto reply = router.chat(req, meta);
    if (!reply) return {};
    if (auto bullets = parse_walkthrough(reply->text)) return *bullets;
    req.messages.push_back({Message::Role::assistant, reply->text, {}, {}});
    req.messages.push_back({Message::Role::user,
                            "Your answer was not a JSON object with a \"walkthrough\" array of strings. "
                            "Reply with that JSON only.",
                            {}, {}});
  }
  router.record_rejected(meta, "invalid-json", "the walkthrough answer was not the requested JSON twice");
  return {};
}

}  // namespace reviewer::model
