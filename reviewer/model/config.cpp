#include "reviewer/model/config.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"

namespace reviewer::model {

namespace {

[[noreturn]] void fail(const std::string& file, const YAML::Mark& mark, const std::string& msg) {
  if (mark.line >= 0) {
    throw Error(Error::Code::invalid_input,
                fmt::format("{}:{}:{}: {}", file, mark.line + 1, mark.column + 1, msg));
  }
  throw Error(Error::Code::invalid_input, fmt::format("{}: {}", file, msg));
}

// Rejects keys outside `allowed`: a typo must not silently drop a limit.
void check_keys(const std::string& file, const YAML::Node& map, const std::set<std::string>& allowed,
                const std::string& where) {
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) fail(file, kv.first.Mark(), "keys must be plain strings");
    const auto key = kv.first.Scalar();
    if (!allowed.count(key)) fail(file, kv.first.Mark(), fmt::format("unknown key '{}' in {}", key, where));
  }
}

// Whether an http:// URL's host is this machine: "localhost", an IPv4
// address in 127.0.0.0/8 or the IPv6 loopback, parsed (not prefix-matched:
// "127.0.0.1.evil.example" and "localhost.evil.example" are not loopback).
bool is_loopback_url(std::string_view url) {
  std::string_view rest = url.substr(url.find("://") + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
  std::string host;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(rest.substr(1, close - 1));
    in6_addr a6{};
    return inet_pton(AF_INET6, host.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  host = std::string(rest.substr(0, rest.find(':')));
  host = lower(host);
  if (host == "localhost" || host == "localhost.") return true;
  in_addr a4{};
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

std::string scalar(const std::string& file, const YAML::Node& map, const std::string& key, bool required) {
  const YAML::Node n = map[key];
  if (!n) {
    if (required) fail(file, map.Mark(), fmt::format("missing '{}'", key));
    return {};
  }
  if (!n.IsScalar() || n.Scalar().empty()) fail(file, n.Mark(), fmt::format("'{}' must be a non-empty string", key));
  return n.Scalar();
}

template <typename T>
T number(const std::string& file, const YAML::Node& map, const std::string& key, T fallback, T min, T max) {
  const YAML::Node n = map[key];
  if (!n) return fallback;
  T v{};
  if (!n.IsScalar() || !YAML::convert<T>::decode(n, v)) fail(file, n.Mark(), fmt::format("'{}' must be a number", key));
  if (!(v >= min && v <= max)) fail(file, n.Mark(), fmt::format("'{}' must be between {} and {}", key, min, max));
  return v;
}

ProviderConfig parse_provider(const std::string& file, const YAML::Node& n) {
  if (!n.IsMap()) fail(file, n.Mark(), "each provider must be a mapping");
  check_keys(file, n, {"name", "kind", "base_url", "model", "api_key_env", "api_key", "timeout_ms",
                       "max_output_tokens", "price_per_mtok"}, "a provider");
  if (n["api_key"]) {
    // Never echo the value: the message names only the key.
    fail(file, n["api_key"].Mark(), "'api_key' is not allowed: name an environment variable with 'api_key_env'");
  }
  ProviderConfig p;
  p.name = scalar(file, n, "name", true);
  const std::string kind = scalar(file, n, "kind", true);
  if (kind == "openai") p.kind = ProviderKind::openai;
  else if (kind == "anthropic") p.kind = ProviderKind::anthropic;
  else fail(file, n["kind"].Mark(), fmt::format("'kind' must be openai or anthropic, got '{}'", kind));
  p.base_url = scalar(file, n, "base_url", true);
  if (p.base_url.rfind("http://", 0) != 0 && p.base_url.rfind("https://", 0) != 0) {
    fail(file, n["base_url"].Mark(), "'base_url' must start with http:// or https://");
  }
  // The API key and the (redacted) change travel in the request: in clear
  // text only to this machine.
  if (p.base_url.rfind("http://", 0) == 0 && !is_loopback_url(p.base_url)) {
    fail(file, n["base_url"].Mark(),
         fmt::format("'base_url' must be https:// (plain http:// only to a loopback address: localhost, "
                     "127.0.0.0/8 or [::1]), got '{}'",
                     p.base_url));
  }
  while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
  p.model = scalar(file, n, "model", true);
  p.api_key_env = scalar(file, n, "api_key_env", false);
  for (char c : p.api_key_env) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) {
      fail(file, n["api_key_env"].Mark(), "'api_key_env' must be an environment variable name");
    }
  }
  p.timeout_ms = number<int>(file, n, "timeout_ms", 30000, 1, 600000);
  p.max_output_tokens = number<int>(file, n, "max_output_tokens", 2000, 1, 1000000);
  if (const YAML::Node price = n["price_per_mtok"]) {
    if (!price.IsMap()) fail(file, price.Mark(), "'price_per_mtok' must be a mapping {input, output}");
    check_keys(file, price, {"input", "output"}, "price_per_mtok");
    p.usd_per_mtok_input = number<double>(file, price, "input", 0.0, 0.0, 1e6);
    p.usd_per_mtok_output = number<double>(file, price, "output", 0.0, 0.0, 1e6);
  }
  return p;
}

}  // namespace

ModelConfig parse_model_config(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(name, e.mark, e.msg);
  }
  if (!root.IsMap()) fail(name, root.Mark(), "the model configuration must be a mapping");
  check_keys(name, root, {"providers", "budget", "walkthrough"}, "the model configuration");
  ModelConfig cfg;
  const YAML::Node providers = root["providers"];
  if (!providers || !providers.IsSequence() || providers.size() == 0) {
    fail(name, providers ? providers.Mark() : root.Mark(), "'providers' must be a non-empty list");
  }
  std::set<std::string> names;
  for (const auto& p : providers) {
    cfg.providers.push_back(parse_provider(name, p));
    if (!names.insert(cfg.providers.back().name).second) {
      fail(name, p["name"].Mark(), fmt::format("duplicate provider name '{}'", cfg.providers.back().name));
    }
  }
  if (const YAML::Node b = root["budget"]) {
    if (!b.IsMap()) fail(name, b.Mark(), "'budget' must be a mapping");
    check_keys(name, b, {"tokens_per_review", "usd_per_review"}, "budget");
    cfg.budget.tokens_per_review = number<long>(name, b, "tokens_per_review", 200000L, 1L, 100000000L);
    cfg.budget.usd_per_review = number<double>(name, b, "usd_per_review", 0.5, 0.0, 10000.0);
  }
  if (const YAML::Node w = root["walkthrough"]) {
    bool on = false;
    if (!w.IsScalar() || !YAML::convert<bool>::decode(w, on)) {
      fail(name, w.Mark(), "'walkthrough' must be true or false");
    }
    cfg.walkthrough = on;
  }
  return cfg;
}

ModelConfig load_model_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Error::Code::usage, fmt::format("cannot read model configuration '{}'", path.string()));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_model_config(ss.str(), path.string());
}

}  // namespace reviewer::model
