#include "reviewer/server/server.h"

#include <atomic>
#include <mutex>
#include <condition_variable>
#include <thread>

#include <cpprest/http_listener.h>
#include <pplx/threadpool.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "reviewer/core/error.h"
#include "reviewer/core/private_files.h"
#include "reviewer/core/text.h"
#include "reviewer/server/intake.h"
#include "reviewer/server/json_scan.h"
#include "reviewer/app/log.h"
#include "reviewer/core/metrics.h"
#include "reviewer/server/queue.h"
#include "reviewer/github/signature.h"
#include "reviewer/github/webhook.h"
#include "reviewer/server/workers.h"

namespace reviewer::server {

namespace http = web::http;
using http::experimental::listener::http_listener;

namespace {

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

std::string header(const http::http_request& req, const char* name) {
  auto it = req.headers().find(name);
  return it == req.headers().end() ? std::string() : it->second;
}

void send(const http::http_request& req, http::status_code code, const nlohmann::json& body) {
  http::http_response resp(code);
  resp.set_body(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  req.reply(resp).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (...) {
      // The client went away: nothing to do.
    }
  });
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
  std::unique_ptr<http_listener> listener;
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

  void route(http::http_request req);
  void webhook(http::http_request req);
  void on_body(const http::http_request& req, std::string body);
  void reject(const http::http_request& req, http::status_code code, const std::string& reason,
              const std::string& message);
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

void Server::Impl::route(http::http_request req) {
  const std::string path = req.relative_uri().path();
  const auto method = req.method();
  if (path == "/webhook") {
    if (method != http::methods::POST) return send(req, http::status_codes::MethodNotAllowed, {{"error", "use POST"}});
    return webhook(std::move(req));
  }
  if (method != http::methods::GET) return send(req, http::status_codes::MethodNotAllowed, {{"error", "use GET"}});
  if (path == "/healthz") return send(req, http::status_codes::OK, {{"status", "alive"}});
  if (path == "/readyz") {
    const bool db = !stopping && queue->writable();
    const bool workers = pool->healthy();
    const bool ready = db && workers && !stopping;
    return send(req, ready ? http::status_codes::OK : http::status_codes::ServiceUnavailable,
                {{"ready", ready}, {"database_writable", db}, {"workers_running", workers}, {"stopping", stopping.load()}});
  }
  if (path == "/metrics") {
    http::http_response resp(http::status_codes::OK);
    resp.set_body(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    req.reply(resp).then([](pplx::task<void> t) {
      try {
        t.get();
      } catch (...) {
      }
    });
    return;
  }
  send(req, http::status_codes::NotFound, {{"error", "not found"}});
}

// Refused before storage: a counter and an aggregated log line only, so a
// flood of forged requests costs constant log volume.
void Server::Impl::reject(const http::http_request& req, http::status_code code, const std::string& reason,
                          const std::string& message) {
  metrics.inc("reviewer_webhook_rejected_total", {{"reason", reason}});
  std::string id = header(req, "X-GitHub-Delivery");
  rejected_log.note(reason, {{"status", code}, {"delivery_id", valid_delivery_id(id) ? id : "(invalid)"}});
  send(req, code, {{"error", message}});
}

void Server::Impl::webhook(http::http_request req) {
  if (stopping) return send(req, http::status_codes::ServiceUnavailable, {{"error", "shutting down"}});
  if (!req.headers().has("Content-Length")) {
    return reject(req, http::status_codes::LengthRequired, "bad_request", "Content-Length is required");
  }
  if (req.headers().content_length() > static_cast<std::uint64_t>(settings.max_body_bytes)) {
    return reject(req, http::status_codes::RequestEntityTooLarge, "too_large",
                  fmt::format("body larger than {} bytes", settings.max_body_bytes));
  }
  // Never block a listener thread: continue when the body has arrived.
  req.extract_vector().then([this, req](pplx::task<std::vector<unsigned char>> t) {
    std::vector<unsigned char> bytes;
    try {
      bytes = t.get();
    } catch (const std::exception&) {
      return reject(req, http::status_codes::BadRequest, "bad_request", "the body could not be read");
    }
    try {
      // One memcpy (constructing from the vector's iterators copied byte by byte).
      on_body(req, std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    } catch (const std::exception& e) {
      log.error("webhook_internal_error", {{"error", e.what()}});
      send(req, http::status_codes::InternalError, {{"error", "internal error"}});
    }
  });
}

void Server::Impl::on_body(const http::http_request& req, std::string body) {
  if (body.size() != req.headers().content_length()) {
    return reject(req, http::status_codes::BadRequest, "bad_request", "the body is shorter than Content-Length");
  }
  const auto check = github::verify_signature(settings.webhook_secret, body, header(req, "X-Hub-Signature-256"));
  if (check != github::SignatureCheck::valid) {
    return reject(req, http::status_codes::Unauthorized, "signature",
                  fmt::format("signature {}: X-Hub-Signature-256 must be sha256=<HMAC of the body>", to_string(check)));
  }
  const std::string delivery_id = header(req, "X-GitHub-Delivery");
  const std::string event = header(req, "X-GitHub-Event");
  if (!valid_delivery_id(delivery_id)) {
    return reject(req, http::status_codes::BadRequest, "bad_request", "missing or invalid X-GitHub-Delivery");
  }
  if (!valid_event_name(event)) {
    return reject(req, http::status_codes::BadRequest, "bad_request", "missing or invalid X-GitHub-Event");
  }
  const std::string ctype = req.headers().content_type();
  if (ctype.rfind("application/json", 0) != 0) {
    return reject(req, http::status_codes::BadRequest, "bad_request",
                  "unsupported content type: configure the webhook to send application/json");
  }
  // Every byte is checked (JSON syntax, UTF-8) as nlohmann would, but only
  // the members classify_webhook() reads are kept: building the whole tree of a
  // 25 KB payload was most of intake's CPU (json_scan.h).
  std::optional<nlohmann::json> parsed = parse_filtered(body, github::classify_webhook_reads);
  if (!parsed) {
    return reject(req, http::status_codes::BadRequest, "bad_request", "the body is not valid JSON (or not UTF-8)");
  }
  github::Classified c;
  try {
    c = github::classify_webhook(event, *parsed);
  } catch (const Error& e) {
    return reject(req, http::status_codes::BadRequest, "bad_request", e.what());
  }
  IntakeItem item;
  item.delivery.delivery_id = delivery_id;
  item.delivery.event = event;
  item.delivery.action = c.action;
  item.delivery.repository = c.repository;
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [name, value] : req.headers()) {
    if (kept_header(name)) headers[name] = value;
  }
  item.delivery.headers_json = headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  item.delivery.body = std::move(body);
  item.delivery.outcome = event == "ping" ? "ping" : c.job ? "queued" : "ignored";
  item.job = c.job;
  const std::string outcome = item.delivery.outcome;
  nlohmann::json fields = {{"delivery_id", delivery_id}, {"github_event", event}, {"action", c.action},
                           {"repository", c.repository}};
  if (c.job) fields["pr"] = c.job->pr_number;
  intake->submit(std::move(item), [this, req, event, outcome, fields](std::optional<IntakeOutcome> stored,
                                                                       const std::string& error) mutable {
    if (!stored) {
      metrics.inc("reviewer_webhook_deliveries_total", {{"event", event}, {"outcome", "error"}});
      fields["error"] = error;
      log.error("delivery_not_stored", std::move(fields));
      return send(req, http::status_codes::ServiceUnavailable, {{"error", "not stored; please redeliver"}});
    }
    const bool dup = *stored == IntakeOutcome::duplicate;
    const std::string result = dup ? "duplicate" : outcome;
    metrics.inc("reviewer_webhook_deliveries_total", {{"event", event}, {"outcome", result}});
    const auto code = dup || outcome == "ping" ? http::status_codes::OK : http::status_codes::Accepted;
    send(req, code, {{"delivery", fields["delivery_id"]}, {"outcome", result}});
    fields["outcome"] = result;
    log.info("delivery", std::move(fields));
  });
}

void Server::Impl::add_gauges() {
  metrics.add_gauge("reviewer_jobs", "Jobs in the queue database by state (dead = dead letters)", [this] {
    Metrics::GaugeRows rows;
    for (const auto& [state, n] : stats().jobs_by_state) rows.push_back({{{"state", state}}, double(n)});
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

// Periodic chores: summarise suppressed rejections, drop old raw bodies.
void Server::Impl::maintain() {
  auto last_prune = std::chrono::steady_clock::time_point{};
  std::unique_lock lock(maint_mu);
  while (!stopping) {
    maint_cv.wait_for(lock, std::chrono::seconds(10), [this] { return stopping.load() || dead_pending; });
    const bool only_dead = dead_pending;
    dead_pending = false;
    lock.unlock();
    report_dead_letters();
    lock.lock();
    if (only_dead) continue;
    rejected_log.flush();
    if (std::chrono::steady_clock::now() - last_prune > std::chrono::hours(1)) {
      last_prune = std::chrono::steady_clock::now();
      try {
        auto n = queue->prune_bodies(std::chrono::hours(24) * settings.delivery_retention_days);
        if (n > 0) log.info("delivery_bodies_pruned", {{"count", n}});
      } catch (const std::exception& e) {
        log.error("prune_failed", {{"error", e.what()}});
      }
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

  // cpprestsdk's shared pool runs 40 threads by default. The handlers never
  // block (intake answers from the writer thread's callback), so more threads
  // than cores only add context switches, which on this kind of VM cost more
  // than the request itself (perf: 42% of the CPU in the switch path). The
  // pool is per process and fixed by its first user; later servers share it.
  static std::once_flag pool_once;
  std::call_once(pool_once, [n = m.settings.http_threads] {
    try {
      crossplat::threadpool::initialize_with_threads(static_cast<std::size_t>(n));
    } catch (const std::exception&) {
      // Already started by another cpprestsdk user in this process: keep it.
    }
  });
  const std::string url = fmt::format("http://{}:{}/", m.settings.listen_host.find(':') != std::string::npos
                                                            ? "[" + m.settings.listen_host + "]"
                                                            : m.settings.listen_host,
                                      m.settings.listen_port);
  http::experimental::listener::http_listener_config cfg;
  cfg.set_timeout(std::chrono::seconds(30));
  cfg.set_backlog(1024);
  m.listener = std::make_unique<http_listener>(web::uri(url), cfg);
  m.listener->support([&m](http::http_request req) {
    try {
      m.route(std::move(req));
    } catch (const std::exception& e) {
      m.log.error("request_failed", {{"error", e.what()}});
    }
  });
  try {
    m.listener->open().wait();
  } catch (const std::exception& e) {
    m.pool->stop(std::chrono::milliseconds(0));
    m.intake->stop();
    throw Error(Error::Code::io, fmt::format("cannot listen on {}:{}: {}", m.settings.listen_host,
                                             m.settings.listen_port, e.what()));
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
  if (m.listener) {
    try {
      m.listener->close().wait();
    } catch (const std::exception& e) {
      m.log.error("listener_close_failed", {{"error", e.what()}});
    }
  }
  m.intake->stop();  // commits deliveries already received
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
