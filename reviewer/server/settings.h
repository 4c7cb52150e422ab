// Settings of `reviewer serve`: a config file (YAML or JSON, same keys in
// snake_case) overlaid by REVIEWER_* / GITHUB_* environment variables, and
// validated once at start. Every error names the variable or key and
// quotes the bad value; a secret's value is never quoted.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "reviewer/core/mode.h"

namespace reviewer::server {

struct ServeSettings {
  std::string listen_host = "127.0.0.1";     // REVIEWER_LISTEN host part
  int listen_port = 8080;                    // REVIEWER_LISTEN port (0: any free port)
  std::string webhook_secret;                // REVIEWER_WEBHOOK_SECRET or _SECRET_FILE (required)
  std::filesystem::path data_dir = "reviewer-data";  // REVIEWER_DATA_DIR: queue.db, audit.db, mirrors/
  std::string database_url;  // REVIEWER_DATABASE_URL: queue and audit log on PostgreSQL instead of the files
  Mode mode = Mode::dry_run;                 // REVIEWER_MODE: dry-run | shadow | active
  int workers = 2;                           // REVIEWER_WORKERS: 1..64
  int http_threads = 2;                      // REVIEWER_HTTP_THREADS: 1..64, the listener's I/O threads
  std::optional<std::filesystem::path> guidance_dir;  // REVIEWER_GUIDANCE_DIR
  std::optional<std::filesystem::path> model_config;  // REVIEWER_MODEL_CONFIG
  int shutdown_grace_seconds = 25;           // REVIEWER_SHUTDOWN_GRACE_SECONDS: 0..3600
  int lease_seconds = 60;                    // REVIEWER_LEASE_SECONDS: 2..3600, heartbeats every third
  int max_attempts = 5;                      // REVIEWER_MAX_ATTEMPTS: 1..100, then a dead letter
  int retry_base_ms = 2000;                  // REVIEWER_RETRY_BASE_MS: first backoff, doubled per attempt
  int delivery_retention_days = 3;           // REVIEWER_DELIVERY_RETENTION_DAYS: raw bodies (0..3650), then finished jobs and deliveries (at least 3: GitHub redelivers for 3 days)
  int dead_letter_retention_days = 0;        // REVIEWER_DEAD_LETTER_RETENTION_DAYS: 0 keeps dead letters; else reported ones that old go
  long max_body_bytes = 25L * 1024 * 1024 + 64 * 1024;  // REVIEWER_MAX_BODY_BYTES: GitHub caps at 25 MB
  long max_body_memory_bytes = 64L * 1024 * 1024;  // REVIEWER_MAX_BODY_MEMORY_BYTES: bodies being read, together
  long max_header_bytes = 64 * 1024;         // REVIEWER_MAX_HEADER_BYTES: request line and headers
  int max_connections = 1024;                // REVIEWER_MAX_CONNECTIONS: oldest idle closed first, then 503
  int header_timeout_ms = 10'000;            // REVIEWER_HEADER_TIMEOUT_MS: first byte to end of headers
  int body_timeout_ms = 10'000;              // REVIEWER_BODY_TIMEOUT_MS: plus the body's length at the minimum rate
  long min_body_rate = 256 * 1024;           // REVIEWER_MIN_BODY_RATE: bytes per second a body must keep up after its timeout
  int idle_timeout_ms = 15'000;              // REVIEWER_IDLE_TIMEOUT_MS: keep-alive between requests
  // GitHub credentials (reviewer/app uses them; shadow and active need some).
  std::string github_app_id;                 // GITHUB_APP_ID
  std::optional<std::filesystem::path> github_app_private_key_file;  // GITHUB_APP_PRIVATE_KEY_FILE
  std::string github_token;                  // GITHUB_TOKEN (never logged)
  std::string github_api_url = "https://api.github.com";  // GITHUB_API_URL
  // REVIEWER_GITHUB_MUTATION_INTERVAL_MS: 0..60000, the least time between two mutating calls of one
  // client (GitHub's advice for api.github.com is 1 s; a GitHub Enterprise Server or a test fake may allow less).
  int github_mutation_interval_ms = 1000;

  std::filesystem::path queue_db() const { return data_dir / "queue.db"; }
  std::filesystem::path audit_db() const { return data_dir / "audit.db"; }
  // Where the audit log is: the PostgreSQL URL when one is set, else audit_db().
  std::string audit_location() const { return database_url.empty() ? audit_db().string() : database_url; }
  std::filesystem::path mirrors_dir() const { return data_dir / "mirrors"; }
  bool has_github_credentials() const {
    return !github_token.empty() || (!github_app_id.empty() && github_app_private_key_file);
  }
};

using Environment = std::map<std::string, std::string>;

// The process environment, as a map (REVIEWER_* and GITHUB_* only).
Environment process_environment();

// Loads `config_file` (if given), overlays `env`, validates. Throws
// reviewer::Error(usage) with a message such as
// "REVIEWER_WORKERS: '0' is out of range (1..64)" or
// "config.yml:3: unknown key 'worker' (did you mean 'workers'?)".
ServeSettings load_settings(const std::optional<std::filesystem::path>& config_file,
                            const Environment& env);

}  // namespace reviewer::server
