#include "reviewer/server/server.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <mutex>
#include <condition_variable>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/text.h"
#include "reviewer/http/listener.h"
#include "reviewer/server/intake.h"
#include "reviewer/server/json_scan.h"
#include "reviewer/app/log.h"
#include "reviewer/core/metrics.h"
#include "reviewer/server/queue.h"
#include "reviewer/github/signature.h"
#include "reviewer/github/webhook.h"
#include "reviewer/server/workers.h"

namespace reviewer::server {

using http::HttpAnswer;
using http::HttpLimits;
using http::HttpListener;
using http::HttpReply;
using http::HttpRequest;
using http::HttpRoutes;

namespace {

// Requests other than a webhook need no body: whatever they carry is read
// (and dropped) up to this much, so they cannot hold memory either.
constexpr std::uint64_t kOtherBodyLimit = 64 * 1024;

// Headers worth keeping with a delivery for replay and forensics.
bool kept_header(const std::string& name) {
  const std::string n = lower(name);
  return n.rfind("x-github-", 0) == 0 || n == "x-hub-signature-256" || n == "user-agent" || n == "content-type";
}

bool valid_delivery_id(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
  }
  return true;
}

bool valid_event_name(const std::string& e) {
  if (e.empty() || e.size() > 64) return false;
  for (char c : e) {
    if (!(std::islower(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// The first value of header `name` (names are case-insensitive), or "".
std::string header(const HttpRequest& req, const char* name) {
  auto it = req.find(name);
  return it == req.end() ? std::string() : std::string(it->value());
}

std::string path_of(const HttpRequest& req) {
  const auto target = req.target();
  return std::string(target.substr(0, target.find('?')));
}

bool is_webhook_post(const HttpRequest& req) {
  return req.method() == boost::beast::http::verb::post && path_of(req) == "/webhook";
}

HttpAnswer answer(unsigned status, const nlohmann::json& body) {
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json", false, {}};
}

}  // namespace

struct Server::Impl {
  ServeSettings settings;
  HandlerFactory make_handler;
  DeadLetterSink report_dead;
  std::shared_ptr<JobHandler> handler;
  app::JsonLog& log;
  Metrics metrics;
  app::AggregatedLog rejected_log;
  std::unique_ptr<JobQueue> queue;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<IntakeBatcher> intake;
  std::unique_ptr<HttpListener> listener;
  std::atomic<bool> stopping{false};
  bool stopped = false;
  std::thread maintenance;
  std::mutex maint_mu;
  std::condition_variable maint_cv;
  std::mutex report_mu;

  Impl(ServeSettings s, HandlerFactory h, app::JsonLog& l, DeadLetterSink d)
      : settings(std::move(s)), make_handler(std::move(h)), report_dead(std::move(d)), log(l),
        rejected_log(l, "delivery_rejected", std::chrono::seconds(10)) {}
  bool dead_pending = false;  // guarded by maint_mu
  void report_dead_letters();

  std::optional<HttpAnswer> head(const HttpRequest& req, std::uint64_t& body_limit);
  void route(HttpRequest req, HttpReply reply);
  void webhook(HttpRequest req, const HttpReply& reply);
  void on_body(HttpRequest req, const HttpReply& reply);
  void store(HttpRequest req, const std::string& delivery_id, const std::string& event, const github::Classified& c,
             const HttpReply& reply);
  HttpAnswer reject(const HttpRequest& req, unsigned code, const std::string& reason, const std::string& message);
  HttpLimits http_limits() const;
  void listen();
  void add_gauges();
  void maintain();

  // One scrape reads several gauges: count the jobs once per second at most,
  // so scrapes cannot stall intake on a large queue.
  QueueStats stats() {
    std::lock_guard lock(stats_mu);
    auto now = std::chrono::steady_clock::now();
    if (now - stats_at > std::chrono::seconds(1)) {
      cached_stats = queue->stats();
      stats_at = now;
    }
    return cached_stats;
  }
  std::mutex stats_mu;
  QueueStats cached_stats;
  std::chrono::steady_clock::time_point stats_at{};
};

// Before the body is read: a webhook must declare its length, within the
// cap, so an unsigned stranger is refused before sending a byte of it.
std::optional<HttpAnswer> Server::Impl::head(const HttpRequest& req, std::uint64_t& body_limit) {
  if (!is_webhook_post(req)) {
    body_limit = kOtherBodyLimit;
    return std::nullopt;
  }
  body_limit = static_cast<std::uint64_t>(settings.max_body_bytes);
  if (stopping) return answer(503, {{"error", "shutting down"}});
  if (!req.has_content_length()) return reject(req, 411, "bad_request", "Content-Length is required");
  const auto length = req.find(boost::beast::http::field::content_length)->value();
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(length.data(), length.data() + length.size(), n);
  if (ec != std::errc() || p != length.data() + length.size() || n > body_limit) {
    return reject(req, 413, "too_large", fmt::format("body larger than {} bytes", settings.max_body_bytes));
  }
  return std::nullopt;
}

void Server::Impl::route(HttpRequest req, HttpReply reply) {
  const std::string path = path_of(req);
  const auto method = req.method();
  using boost::beast::http::verb;
  if (path == "/webhook") {
    if (method != verb::post) return reply(answer(405, {{"error", "use POST"}}));
    return webhook(std::move(req), reply);
  }
  if (method != verb::get) return reply(answer(405, {{"error", "use GET"}}));
  if (path == "/healthz") return reply(answer(200, {{"status", "alive"}}));
  if (path == "/readyz") {
    const bool db = !stopping && queue->writable();
    const bool workers = pool->healthy();
    const bool ready = db && workers && !stopping;
    return reply(answer(ready ? 200 : 503, {{"ready", ready}, {"database_writable", db},
                                            {"workers_running", workers}, {"stopping", stopping.load()}}));
  }
  if (path == "/metrics") {
    return reply({200, metrics.render(), "text/plain; version=0.0.4; charset=utf-8", false});
  }
  reply(answer(404, {{"error", "not found"}}));
}

// Refused before storage: a counter and an aggregated log line only, so a
// flood of forged requests costs constant log volume.
HttpAnswer Server::Impl::reject(const HttpRequest& req, unsigned code, const std::string& reason,
                                const std::string& message) {
  metrics.inc("reviewer_webhook_rejected_total", {{"reason", reason}});
  std::string id = header(req, "X-GitHub-Delivery");
  rejected_log.note(reason, {{"status", code}, {"delivery_id", valid_delivery_id(id) ? id : "(invalid)"}});
  return answer(code, {{"error", message}});
}

void Server::Impl::webhook(HttpRequest req, const HttpReply& reply) {
  if (stopping) return reply(answer(503, {{"error", "shutting down"}}));
  try {
    on_body(std::move(req), reply);
  } catch (const std::exception& e) {
    log.error("webhook_internal_error", {{"error", e.what()}});
    reply(answer(500, {{"error", "internal error"}}));
  }
}

void Server::Impl::on_body(HttpRequest req, const HttpReply& reply) {
  const std::string& body = req.body();
  const auto check = github::verify_signature(settings.webhook_secret, body, header(req, "X-Hub-Signature-256"));
  if (check != github::SignatureCheck::valid) {
    return reply(reject(req, 401, "signature",
                        fmt::format("signature {}: X-Hub-Signature-256 must be sha256=<HMAC of the body>",
                                    to_string(check))));
  }
  const std::string delivery_id = header(req, "X-GitHub-Delivery");
  const std::string event = header(req, "X-GitHub-Event");
  if (!valid_delivery_id(delivery_id)) {
    return reply(reject(req, 400, "bad_request", "missing or invalid X-GitHub-Delivery"));
  }
  if (!valid_event_name(event)) return reply(reject(req, 400, "bad_request", "missing or invalid X-GitHub-Event"));
  if (header(req, "Content-Type").rfind("application/json", 0) != 0) {
    return reply(reject(req, 400, "bad_request",
                        "unsupported content type: configure the webhook to send application/json"));
  }
  // Every byte is checked (JSON syntax, UTF-8) as nlohmann would, but only
  // the members classify_webhook() reads are kept: building the whole tree of a
  // 25 KB payload was most of intake's CPU (json_scan.h).
  std::optional<nlohmann::json> parsed = parse_filtered(body, github::classify_webhook_reads);
  if (!parsed) return reply(reject(req, 400, "bad_request", "the body is not valid JSON (or not UTF-8)"));
  github::Classified c;
  try {
    c = github::classify_webhook(event, *parsed);
  } catch (const Error& e) {
    return reply(reject(req, 400, "bad_request", e.what()));
  }
  store(std::move(req), delivery_id, event, c, reply);
}

// Hands the delivery to the intake writer; the answer goes out once its
// batch has committed (or failed).
void Server::Impl::store(HttpRequest req, const std::string& delivery_id, const std::string& event,
                         const github::Classified& c, const HttpReply& reply) {
  IntakeItem item;
  item.delivery.delivery_id = delivery_id;
  item.delivery.event = event;
  item.delivery.action = c.action;
  item.delivery.repository = c.repository;
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& f : req) {
    std::string name(f.name_string());
    if (kept_header(name) && !headers.contains(name)) headers[name] = std::string(f.value());
  }
  item.delivery.headers_json = headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  item.delivery.body = std::move(req.body());
  item.delivery.outcome = event == "ping" ? "ping" : c.job ? "queued" : "ignored";
  item.job = c.job;
  const std::string outcome = item.delivery.outcome;
  nlohmann::json fields = {{"delivery_id", delivery_id}, {"github_event", event}, {"action", c.action},
                           {"repository", c.repository}};
  if (c.job) fields["pr"] = c.job->pr_number;
  intake->submit(std::move(item), [this, reply, event, outcome, fields](std::optional<IntakeOutcome> stored,
                                                                         const std::string& error) mutable {
    if (!stored) {
      metrics.inc("reviewer_webhook_deliveries_total", {{"event", event}, {"outcome", "error"}});
      fields["error"] = error;
      log.error("delivery_not_stored", std::move(fields));
      return reply(answer(503, {{"error", "not stored; please redeliver"}}));
    }
    const bool dup = *stored == IntakeOutcome::duplicate;
    const std::string result = dup ? "duplicate" : outcome;
    metrics.inc("reviewer_webhook_deliveries_total", {{"event", event}, {"outcome", result}});
    reply(answer(dup || outcome == "ping" ? 200 : 202, {{"delivery", fields["delivery_id"]}, {"outcome", result}}));
    fields["outcome"] = result;
    log.info("delivery", std::move(fields));
  });
}

void Server::Impl::add_gauges() {
  metrics.add_gauge("reviewer_jobs", "Jobs in the queue now by state: pending, leased, dead (dead letters)", [this] {
    Metrics::GaugeRows rows;
    for (const auto& [state, n] : stats().jobs_by_state) rows.push_back({{{"state", state}}, double(n)});
    return rows;
  });
  metrics.add_counter_read("reviewer_jobs_ended_total",
                           "Jobs that ended, by final state (kept in the queue database: pruning does not lower it)",
                           [this] {
                             Metrics::GaugeRows rows;
                             for (const auto& [state, n] : stats().ended_total) {
                               rows.push_back({{{"state", state}}, double(n)});
                             }
                             return rows;
                           });
  metrics.add_gauge("reviewer_queue_depth", "Jobs waiting to run (pending)", [this] {
    return Metrics::GaugeRows{{{}, double(stats().jobs_by_state["pending"])}};
  });
  metrics.add_gauge("reviewer_queue_oldest_age_seconds", "Age of the oldest pending job", [this] {
    return Metrics::GaugeRows{{{}, stats().oldest_pending_age_ms / 1000.0}};
  });
  metrics.add_gauge("reviewer_workers_busy", "Workers running a job", [this] {
    return Metrics::GaugeRows{{{}, double(pool->busy())}};
  });
  metrics.add_gauge("reviewer_workers", "Configured workers", [this] {
    return Metrics::GaugeRows{{{}, double(settings.workers)}};
  });
}

// Periodic chores: every second, count the jobs that ended into the
// queue's totals (off intake's transaction: JobQueue::fold_totals); every
// 10 s, report dead letters (at once when a worker parks one), summarise
// suppressed rejections; hourly, drop old rows and raw bodies.
void Server::Impl::maintain() {
  auto last_prune = std::chrono::steady_clock::time_point{};
  auto last_chores = std::chrono::steady_clock::now();
  // A failing fold is logged when it starts and every ten minutes while it
  // lasts: until it works, ended jobs are neither counted nor pruned.
  bool fold_failing = false;
  auto fold_failed_logged = std::chrono::steady_clock::time_point{};
  std::unique_lock lock(maint_mu);
  while (!stopping) {
    maint_cv.wait_for(lock, std::chrono::seconds(1), [this] { return stopping.load() || dead_pending; });
    const bool dead = dead_pending;
    dead_pending = false;
    const bool chores = std::chrono::steady_clock::now() - last_chores >= std::chrono::seconds(10);
    lock.unlock();
    if (dead || chores) report_dead_letters();
    // The totals' tail stays small, so /metrics adds only a few rows to them.
    try {
      queue->fold_totals([this] { return stopping.load(); });
      fold_failing = false;
    } catch (const std::exception& e) {
      const auto now = std::chrono::steady_clock::now();
      if (!fold_failing || now - fold_failed_logged >= std::chrono::minutes(10)) {
        log.error("totals_fold_failed", {{"error", e.what()}, {"effect", "ended jobs are not counted or pruned"}});
        fold_failed_logged = now;
      }
      fold_failing = true;
    }
    lock.lock();
    if (!chores) continue;
    last_chores = std::chrono::steady_clock::now();
    rejected_log.flush();
    if (std::chrono::steady_clock::now() - last_prune > std::chrono::hours(1)) {
      last_prune = std::chrono::steady_clock::now();
      // Unlocked: a first prune after an upgrade takes minutes, and a worker
      // whose job goes dead (on_dead) or stop() must not wait for it.
      lock.unlock();
      try {
        const auto age = std::chrono::hours(24) * settings.delivery_retention_days;
        // Rows make a redelivery a duplicate: kept through GitHub's 3-day window.
        const auto row_age = std::chrono::hours(24) * std::max(3, settings.delivery_retention_days);
        std::optional<std::chrono::milliseconds> dead_age;
        if (settings.dead_letter_retention_days > 0) dead_age = std::chrono::hours(24) * settings.dead_letter_retention_days;
        // Rows first: the bodies of deliveries it deleted need no clearing.
        const auto started = std::chrono::steady_clock::now();
        const auto rows = queue->prune_rows(row_age, dead_age, [this] { return stopping.load(); });
        if (rows.jobs > 0 || rows.deliveries > 0) {
          const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
          log.info("queue_rows_pruned", {{"jobs", rows.jobs}, {"deliveries", rows.deliveries}, {"ms", ms.count()}});
        }
        if (!stopping) {
          auto n = queue->prune_bodies(age, [this] { return stopping.load(); });
          if (n > 0) log.info("delivery_bodies_pruned", {{"count", n}});
        }
      } catch (const std::exception& e) {
        log.error("prune_failed", {{"error", e.what()}});
      }
      lock.lock();
    }
  }
}

// Reports dead letters the audit log does not have yet; marks each reported
// only after the sink committed it, so a failure or a crash reports again.
void Server::Impl::report_dead_letters() {
  if (!report_dead) return;
  std::lock_guard lock(report_mu);  // maintenance and stop() both report
  for (;;) {
    std::vector<DeadLetter> batch;
    try {
      batch = queue->unreported_dead_letters(100);
    } catch (const std::exception& e) {
      log.error("dead_letter_report_failed", {{"error", e.what()}});
      return;
    }
    if (batch.empty()) return;
    std::vector<std::int64_t> done;
    std::string error;
    for (const auto& d : batch) {
      try {
        report_dead(d);
        done.push_back(d.id);
        log.info("dead_letter_reported", {{"job_id", d.id}, {"delivery_id", d.delivery_id}});
      } catch (const std::exception& e) {
        error = e.what();
        break;
      }
    }
    try {
      if (!done.empty()) queue->mark_reported(done);
    } catch (const std::exception& e) {
      error = e.what();
    }
    if (!error.empty()) {
      log.error("dead_letter_report_failed", {{"error", error}});
      return;  // the next round tries again
    }
  }
}

HttpLimits Server::Impl::http_limits() const {
  HttpLimits l;
  l.threads = settings.http_threads;
  l.header_bytes = static_cast<std::size_t>(settings.max_header_bytes);
  l.max_connections = static_cast<std::size_t>(settings.max_connections);
  l.header_timeout = std::chrono::milliseconds(settings.header_timeout_ms);
  l.body_timeout = std::chrono::milliseconds(settings.body_timeout_ms);
  l.min_body_rate = static_cast<std::uint64_t>(settings.min_body_rate);
  l.body_memory_bytes = static_cast<std::uint64_t>(settings.max_body_memory_bytes);
  l.idle_timeout = std::chrono::milliseconds(settings.idle_timeout_ms);
  return l;
}

// The routes run on the listener's I/O threads and never block: a webhook
// is answered from the intake writer's callback once committed.
void Server::Impl::listen() {
  HttpRoutes routes;
  routes.on_head = [this](const HttpRequest& req, std::uint64_t& limit) { return head(req, limit); };
  routes.on_request = [this](HttpRequest req, HttpReply reply) {
    try {
      route(std::move(req), reply);
    } catch (const std::exception& e) {
      log.error("request_failed", {{"error", e.what()}});
      reply(answer(500, {{"error", "internal error"}}));
    }
  };
  routes.on_refused = [this](const char* reason) {
    metrics.inc("reviewer_http_refused_total", {{"reason", reason}});
  };
  listener = std::make_unique<HttpListener>(http_limits(), std::move(routes));
  listener->listen(settings.listen_host, settings.listen_port);
  metrics.add_gauge("reviewer_http_connections", "Open HTTP connections and their cap", [this] {
    return Metrics::GaugeRows{{{{"kind", "open"}}, double(listener->open_connections())},
                              {{{"kind", "idle"}}, double(listener->idle_connections())},
                              {{{"kind", "cap"}}, double(listener->connection_cap())}};
  });
}

Server::Server(ServeSettings settings, HandlerFactory make_handler, app::JsonLog& log, DeadLetterSink report_dead)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(make_handler), log, std::move(report_dead))) {}

Server::~Server() { stop(); }

void Server::start() {
  auto& m = *impl_;
  try {
    create_private_directories(m.settings.data_dir);
  } catch (const Error& e) {
    throw Error(Error::Code::io, fmt::format("cannot create the data directory: {}", e.what()));
  }
  QueueOptions qo;
  qo.max_attempts = m.settings.max_attempts;
  qo.retry_base_ms = m.settings.retry_base_ms;
  m.queue = m.settings.database_url.empty() ? JobQueue::open_sqlite(m.settings.queue_db(), qo)
                                             : JobQueue::open_postgres(m.settings.database_url, qo);
  m.handler = m.make_handler(m.log, m.metrics);
  WorkerOptions wo;
  wo.workers = m.settings.workers;
  wo.lease = std::chrono::seconds(m.settings.lease_seconds);
  wo.on_dead = [&m] {
    std::lock_guard lock(m.maint_mu);
    m.dead_pending = true;
    m.maint_cv.notify_all();
  };
  m.pool = std::make_unique<WorkerPool>(*m.queue, m.handler, m.metrics, m.log, wo);
  m.pool->start();
  m.intake = std::make_unique<IntakeBatcher>(*m.queue, m.metrics, [p = m.pool.get()] { p->notify(); });
  m.queue->on_new_jobs([p = m.pool.get()] { p->notify(); });  // other instances' intake
  m.add_gauges();

  try {
    m.listen();
  } catch (const Error&) {
    m.pool->stop(std::chrono::milliseconds(0));
    m.intake->stop();
    throw;
  }
  m.report_dead_letters();  // parked before a restart and not reported yet
  m.maintenance = std::thread([&m] { m.maintain(); });
  m.log.info("serve_started", {{"listen", fmt::format("{}:{}", m.settings.listen_host, m.settings.listen_port)},
                               {"data_dir", m.settings.data_dir.string()}, {"mode", std::string(to_string(m.settings.mode))},
                               {"workers", m.settings.workers}, {"version", REVIEWER_VERSION}});
}

int Server::stop() {
  auto& m = *impl_;
  if (m.stopped || !m.queue) return 0;
  m.stopped = true;
  const auto t0 = std::chrono::steady_clock::now();
  m.stopping = true;
  m.log.info("serve_stopping", {{"grace_seconds", m.settings.shutdown_grace_seconds}});
  if (m.listener) m.listener->stop_accepting();
  m.intake->stop();  // commits deliveries already received and answers them
  // Answers in flight are written; requests still arriving get 503.
  if (m.listener) m.listener->shutdown(std::chrono::seconds(2));
  const auto grace = std::chrono::seconds(m.settings.shutdown_grace_seconds) -
                     std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  m.queue->on_new_jobs({});
  int released = m.pool->stop(std::max(grace, std::chrono::milliseconds(0)));
  {
    std::lock_guard lock(m.maint_mu);
    m.maint_cv.notify_all();
  }
  if (m.maintenance.joinable()) m.maintenance.join();
  m.report_dead_letters();
  m.rejected_log.flush();
  m.log.info("serve_stopped", {{"released_jobs", released}});
  return released;
}

Metrics& Server::metrics() { return impl_->metrics; }
JobQueue& Server::queue() { return *impl_->queue; }
const ServeSettings& Server::settings() const { return impl_->settings; }

}  // namespace reviewer::server
