#include "reviewer/server/settings.h"

#include "reviewer/http/listener.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "reviewer/core/edit_distance.h"
#include "reviewer/core/error.h"
#include "storage/postgres.h"

extern char** environ;

namespace reviewer::server {

namespace {

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw Error(Error::Code::usage, fmt::format("{}: {}", where, what));
}

long parse_int(const std::string& where, const std::string& v, long lo, long hi) {
  long out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size()) {
    fail(where, fmt::format("'{}' is not a whole number", v));
  }
  if (out < lo || out > hi) fail(where, fmt::format("'{}' is out of range ({}..{})", v, lo, hi));
  return out;
}

std::string read_secret_file(const std::string& where, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(where, fmt::format("cannot read the secret file '{}'", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) fail(where, fmt::format("the secret file '{}' is empty", path));
  return s;
}

// One settable key: its config-file name, its environment variable, and how
// a string value is applied (with `where` naming its origin for errors).
struct Key {
  const char* file_key;
  const char* env;
  std::function<void(ServeSettings&, const std::string& where, const std::string& value)> apply;
};

void set_listen(ServeSettings& s, const std::string& where, const std::string& v) {
  const auto parts = http::split_listen_address(v);
  if (!parts) fail(where, fmt::format("'{}' is not HOST:PORT (for example 127.0.0.1:8080)", v));
  s.listen_host = parts->first;
  s.listen_port = static_cast<int>(parse_int(where, parts->second, 0, 65535));
}

const std::vector<Key>& keys() {
  static const std::vector<Key> k = {
      {"listen", "REVIEWER_LISTEN", set_listen},
      {"webhook_secret", "REVIEWER_WEBHOOK_SECRET",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (v.empty()) fail(w, "the webhook secret is empty");
         s.webhook_secret = v;
       }},
      {"webhook_secret_file", "REVIEWER_WEBHOOK_SECRET_FILE",
       [](ServeSettings& s, const std::string& w, const std::string& v) { s.webhook_secret = read_secret_file(w, v); }},
      {"data_dir", "REVIEWER_DATA_DIR",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (v.empty()) fail(w, "the data directory is empty");
         s.data_dir = v;
       }},
      {"database_url", "REVIEWER_DATABASE_URL",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (!storage::is_postgres_url(v)) {
           fail(w, fmt::format("'{}' is not a postgresql:// URL", storage::redact_url(v)));
         }
         s.database_url = v;
       }},
      {"mode", "REVIEWER_MODE",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         auto mode = parse_mode(v);
         if (!mode) fail(w, fmt::format("'{}' is not a mode (dry-run, shadow or active)", v));
         s.mode = *mode;
       }},
      {"workers", "REVIEWER_WORKERS",
       [](ServeSettings& s, const std::string& w, const std::string& v) { s.workers = int(parse_int(w, v, 1, 64)); }},
      {"http_threads", "REVIEWER_HTTP_THREADS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.http_threads = int(parse_int(w, v, 1, 64));
       }},
      {"guidance_dir", "REVIEWER_GUIDANCE_DIR",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (!std::filesystem::is_directory(v)) fail(w, fmt::format("'{}' is not a directory", v));
         s.guidance_dir = v;
       }},
      {"model_config", "REVIEWER_MODEL_CONFIG",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (!std::filesystem::is_regular_file(v)) fail(w, fmt::format("'{}' is not a file", v));
         s.model_config = v;
       }},
      {"shutdown_grace_seconds", "REVIEWER_SHUTDOWN_GRACE_SECONDS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.shutdown_grace_seconds = int(parse_int(w, v, 0, 3600));
       }},
      {"lease_seconds", "REVIEWER_LEASE_SECONDS",
       [](ServeSettings& s, const std::string& w, const std::string& v) { s.lease_seconds = int(parse_int(w, v, 2, 3600)); }},
      {"max_attempts", "REVIEWER_MAX_ATTEMPTS",
       [](ServeSettings& s, const std::string& w, const std::string& v) { s.max_attempts = int(parse_int(w, v, 1, 100)); }},
      {"retry_base_ms", "REVIEWER_RETRY_BASE_MS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.retry_base_ms = int(parse_int(w, v, 10, 3'600'000));
       }},
      {"delivery_retention_days", "REVIEWER_DELIVERY_RETENTION_DAYS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         // Bodies may go sooner (privacy); the rows that deduplicate stay
         // at least GitHub's 3-day redelivery window (server.cpp).
         s.delivery_retention_days = int(parse_int(w, v, 0, 3650));
       }},
      {"dead_letter_retention_days", "REVIEWER_DEAD_LETTER_RETENTION_DAYS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.dead_letter_retention_days = int(parse_int(w, v, 0, 36500));
       }},
      {"max_body_bytes", "REVIEWER_MAX_BODY_BYTES",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.max_body_bytes = parse_int(w, v, 1024, 100L * 1024 * 1024);
       }},
      {"max_body_memory_bytes", "REVIEWER_MAX_BODY_MEMORY_BYTES",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.max_body_memory_bytes = parse_int(w, v, 1024, 64L * 1024 * 1024 * 1024);
       }},
      {"max_header_bytes", "REVIEWER_MAX_HEADER_BYTES",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.max_header_bytes = parse_int(w, v, 1024, 1024L * 1024);
       }},
      {"max_connections", "REVIEWER_MAX_CONNECTIONS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.max_connections = int(parse_int(w, v, 2, 1'000'000));
       }},
      {"header_timeout_ms", "REVIEWER_HEADER_TIMEOUT_MS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.header_timeout_ms = int(parse_int(w, v, 50, 600'000));
       }},
      {"body_timeout_ms", "REVIEWER_BODY_TIMEOUT_MS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.body_timeout_ms = int(parse_int(w, v, 50, 600'000));
       }},
      {"min_body_rate", "REVIEWER_MIN_BODY_RATE",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.min_body_rate = parse_int(w, v, 1024, 1024L * 1024 * 1024);
       }},
      {"idle_timeout_ms", "REVIEWER_IDLE_TIMEOUT_MS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.idle_timeout_ms = int(parse_int(w, v, 50, 3'600'000));
       }},
      {"github_app_id", "GITHUB_APP_ID",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         parse_int(w, v, 1, std::numeric_limits<long>::max());
         s.github_app_id = v;
       }},
      {"github_app_private_key_file", "GITHUB_APP_PRIVATE_KEY_FILE",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (::access(v.c_str(), R_OK) != 0) fail(w, fmt::format("cannot read the key file '{}'", v));
         s.github_app_private_key_file = v;
       }},
      {"github_token", "GITHUB_TOKEN",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (v.empty()) fail(w, "the token is empty");
         s.github_token = v;
       }},
      {"github_api_url", "GITHUB_API_URL",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         if (v.rfind("https://", 0) != 0 && v.rfind("http://", 0) != 0) {
           fail(w, fmt::format("'{}' is not an http(s) URL", v));
         }
         s.github_api_url = v;
       }},
      {"github_mutation_interval_ms", "REVIEWER_GITHUB_MUTATION_INTERVAL_MS",
       [](ServeSettings& s, const std::string& w, const std::string& v) {
         s.github_mutation_interval_ms = int(parse_int(w, v, 0, 60'000));
       }},
  };
  return k;
}

const Key* find_key(const std::string& name) {
  for (const auto& k : keys()) {
    if (name == k.file_key) return &k;
  }
  return nullptr;
}

std::string suggestion(const std::string& name) {
  std::string best;
  size_t best_d = 4;
  for (const auto& k : keys()) {
    size_t d = edit_distance(name, k.file_key);
    if (d < best_d) best_d = d, best = k.file_key;
  }
  return best.empty() ? "" : fmt::format(" (did you mean '{}'?)", best);
}

// Applies a config file, checking that it is a mapping of known keys to
// scalar values. Both secret keys set is an error (ambiguous).
void apply_file(ServeSettings& s, const std::filesystem::path& path, std::vector<std::string>& secret_sources) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::BadFile&) {
    throw Error(Error::Code::usage, fmt::format("{}: cannot read the config file", path.string()));
  } catch (const YAML::Exception& e) {
    throw Error(Error::Code::usage, fmt::format("{}:{}: {}", path.string(), e.mark.line + 1, e.msg));
  }
  if (root.IsNull()) return;
  if (!root.IsMap()) {
    throw Error(Error::Code::usage, fmt::format("{}: the config file must be a mapping of keys to values", path.string()));
  }
  for (const auto& kv : root) {
    const std::string name = kv.first.as<std::string>();
    const std::string where = fmt::format("{}:{}: {}", path.string(), kv.first.Mark().line + 1, name);
    const Key* key = find_key(name);
    if (!key) {
      throw Error(Error::Code::usage, fmt::format("{}:{}: unknown key '{}'{}", path.string(),
                                                  kv.first.Mark().line + 1, name, suggestion(name)));
    }
    if (!kv.second.IsScalar()) fail(where, "expected a single value");
    if (name.rfind("webhook_secret", 0) == 0) secret_sources.push_back(where);
    key->apply(s, where, kv.second.as<std::string>());
  }
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string k = kv.substr(0, eq);
    if (k.rfind("REVIEWER_", 0) == 0 || k.rfind("GITHUB_", 0) == 0) env[k] = kv.substr(eq + 1);
  }
  return env;
}

ServeSettings load_settings(const std::optional<std::filesystem::path>& config_file, const Environment& env) {
  ServeSettings s;
  std::vector<std::string> file_secrets;
  if (config_file) apply_file(s, *config_file, file_secrets);
  if (file_secrets.size() > 1) {
    throw Error(Error::Code::usage, fmt::format("{}: set webhook_secret or webhook_secret_file, not both",
                                                config_file->string()));
  }
  // Environment overrides the file.
  if (env.count("REVIEWER_WEBHOOK_SECRET") && env.count("REVIEWER_WEBHOOK_SECRET_FILE")) {
    throw Error(Error::Code::usage,
                "REVIEWER_WEBHOOK_SECRET and REVIEWER_WEBHOOK_SECRET_FILE are both set: keep one");
  }
  for (const auto& k : keys()) {
    auto it = env.find(k.env);
    if (it != env.end()) k.apply(s, std::string("environment variable ") + k.env, it->second);
  }
  for (const auto& [name, value] : env) {
    if (name.rfind("REVIEWER_", 0) != 0) continue;
    bool known = name == "REVIEWER_MODEL_CONFIG";
    for (const auto& k : keys()) known = known || name == k.env;
    // Other commands' variables share the prefix; only flag near-misses.
    if (!known) {
      for (const auto& k : keys()) {
        if (edit_distance(name, k.env) <= 2) {
          throw Error(Error::Code::usage, fmt::format("environment variable {}: unknown (did you mean {}?)", name, k.env));
        }
      }
    }
  }
  if (s.webhook_secret.empty()) {
    throw Error(Error::Code::usage,
                "no webhook secret: set REVIEWER_WEBHOOK_SECRET or REVIEWER_WEBHOOK_SECRET_FILE "
                "(or webhook_secret_file in the config file); unsigned webhooks are never accepted");
  }
  if (s.max_body_memory_bytes < s.max_body_bytes) {
    throw Error(Error::Code::usage,
                fmt::format("REVIEWER_MAX_BODY_MEMORY_BYTES ({}) is below REVIEWER_MAX_BODY_BYTES ({}): a delivery "
                            "of the largest size accepted could never be read",
                            s.max_body_memory_bytes, s.max_body_bytes));
  }
  if (!s.github_app_id.empty() && !s.github_app_private_key_file) {
    throw Error(Error::Code::usage, "GITHUB_APP_ID is set without GITHUB_APP_PRIVATE_KEY_FILE");
  }
  if (s.mode != Mode::dry_run && !s.has_github_credentials()) {
    throw Error(Error::Code::usage,
                fmt::format("REVIEWER_MODE: '{}' posts to GitHub and needs GITHUB_APP_ID with "
                            "GITHUB_APP_PRIVATE_KEY_FILE, or GITHUB_TOKEN",
                            to_string(s.mode)));
  }
  return s;
}

}  // namespace reviewer::server
