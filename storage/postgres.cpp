#include "storage/postgres.h"

#include <libpq-fe.h>
#include <poll.h>

#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace reviewer::storage {

namespace {

// Type OIDs of the integer types (pg_type.h; stable since PostgreSQL 7).
constexpr Oid kInt8 = 20, kInt2 = 21, kInt4 = 23;

// Class 08 (connection exception), 40001 (serialization failure), 40P01
// (deadlock), 57P01-03 (server shutting down), 53300 (too many
// connections), 55P03 (a lock held past lock_timeout): the same command
// may succeed later.
bool transient_state(std::string_view state) {
  return state.starts_with("08") || state == "40001" || state == "40P01" || state.starts_with("57P0") ||
         state == "53300" || state == "55P03";
}

std::string one_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (auto& c : s) {
    if (c == '\n') c = ' ';
  }
  return s;
}

}  // namespace

bool is_postgres_url(std::string_view url) {
  return url.starts_with("postgresql://") || url.starts_with("postgres://");
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  // user:password@ in the authority part.
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  // password=… among the query parameters.
  for (auto p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    auto end = out.find('&', p);
    out.replace(p, (end == std::string::npos ? out.size() : end) - p, "password=[redacted]");
  }
  return out;
}

// ---- PgResult ----

void PgResult::Free::operator()(pg_result* r) const { PQclear(r); }

PgResult::PgResult(pg_result* r) : r_(r) {}
int PgResult::rows() const { return r_ ? PQntuples(r_.get()) : 0; }
int PgResult::columns() const { return r_ ? PQnfields(r_.get()) : 0; }
bool PgResult::is_null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }

std::string PgResult::text(int row, int col) const {
  return std::string(PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col)));
}

std::int64_t PgResult::int64(int row, int col) const {
  std::int64_t v = 0;
  const char* p = PQgetvalue(r_.get(), row, col);
  std::from_chars(p, p + PQgetlength(r_.get(), row, col), v);
  return v;
}

std::string PgResult::column_name(int col) const { return PQfname(r_.get(), col); }

unsigned PgResult::column_type(int col) const { return PQftype(r_.get(), col); }

Value PgResult::value(int row, int col) const {
  if (is_null(row, col)) return std::monostate{};
  Oid type = PQftype(r_.get(), col);
  if (type == kInt8 || type == kInt4 || type == kInt2) return int64(row, col);
  return text(row, col);
}

void PgResult::value_into(int row, int col, Value& v) const {
  if (is_null(row, col)) {
    v = std::monostate{};
    return;
  }
  const Oid type = PQftype(r_.get(), col);
  if (type == kInt8 || type == kInt4 || type == kInt2) {
    v = int64(row, col);
    return;
  }
  const char* p = PQgetvalue(r_.get(), row, col);
  const auto n = static_cast<std::size_t>(PQgetlength(r_.get(), row, col));
  if (auto* s = std::get_if<std::string>(&v)) {
    s->assign(p, n);
  } else {
    v = std::string(p, n);
  }
}

std::int64_t PgResult::affected() const {
  std::int64_t v = 0;
  std::string_view n = PQcmdTuples(r_.get());
  std::from_chars(n.data(), n.data() + n.size(), v);
  return v;
}

// ---- PgConnection ----

void PgConnection::Finish::operator()(pg_conn* c) const { PQfinish(c); }

PgConnection PgConnection::open(const std::string& url, std::string label) {
  PgConnection c;
  c.url_ = url;
  c.label_ = std::move(label);
  // Defaults the URL may override (its settings are expanded after them): a
  // server that does not answer (a dead host, a full backlog) fails the
  // connection after 5 s instead of the OS's minutes, so intake answers 503
  // within the listener's limits; keepalives notice a peer that vanished
  // without a reset (TCP only; a Unix socket ignores them).
  static constexpr const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval",
                                         "keepalives_count", "dbname", nullptr};
  const char* values[] = {"5", "10", "5", "3", url.c_str(), nullptr};
  c.conn_.reset(PQconnectdbParams(keys, values, 1));  // owned at once, even on failure
  if (!c.conn_ || PQstatus(c.conn_.get()) != CONNECTION_OK) {
    std::string why = c.conn_ ? one_line(PQerrorMessage(c.conn_.get())) : "out of memory";
    throw PgError(fmt::format("{}: cannot connect: {}", c.where(), why), "08001", Error::Retry::transient);
  }
  // Our messages are English whatever the server's locale; times are UTC.
  c.exec("SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET bytea_output = 'hex'");
  return c;
}

std::string PgConnection::where() const { return fmt::format("{} {}", label_, redact_url(url_)); }

bool PgConnection::alive() const { return conn_ && PQstatus(conn_.get()) == CONNECTION_OK; }

bool PgConnection::idle() const { return conn_ && PQtransactionStatus(conn_.get()) == PQTRANS_IDLE; }

PgResult PgConnection::check(pg_result* raw, std::string_view sql) {
  PgResult r(raw);
  auto status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
  const char* state = raw ? PQresultErrorField(raw, PG_DIAG_SQLSTATE) : nullptr;
  const char* constraint = raw ? PQresultErrorField(raw, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  std::string code = state ? state : (alive() ? "" : "08006");
  std::string msg = one_line(raw ? PQresultErrorMessage(raw) : PQerrorMessage(conn_.get()));
  if (msg.empty()) msg = one_line(PQerrorMessage(conn_.get()));
  auto retry = transient_state(code) || !alive() ? Error::Retry::transient : Error::Retry::permanent;
  std::string_view head = sql.substr(0, std::min<std::size_t>(sql.find('\n'), 60));
  throw PgError(fmt::format("{}: {} (in: {})", where(), msg, head), code, retry, constraint ? constraint : "");
}

PgResult PgConnection::exec(std::string_view sql) {
  if (!conn_) throw PgError(fmt::format("{}: not connected", where()), "08003", Error::Retry::transient);
  return check(PQexec(conn_.get(), std::string(sql).c_str()), sql);
}

PgResult PgConnection::exec(std::string_view sql, const std::vector<Value>& params) {
  return exec(sql, params, params.size());
}

// Parameters in libpq's arrays; `texts` owns what `values` points to
// (except a binary parameter, which points into the caller's Value).
struct PgConnection::Bound {
  std::vector<std::string> texts;
  std::vector<const char*> values;
  std::vector<int> lengths;
  std::vector<int> formats;
};

PgConnection::Bound PgConnection::bind(const std::vector<Value>& params, std::size_t binary_index) const {
  Bound b{std::vector<std::string>(params.size()), std::vector<const char*>(params.size(), nullptr),
          std::vector<int>(params.size(), 0), std::vector<int>(params.size(), 0)};
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
      b.texts[i] = std::to_string(*n);
    } else if (const auto* s = std::get_if<std::string>(&params[i])) {
      if (i == binary_index) {
        b.values[i] = s->data();
        b.lengths[i] = static_cast<int>(s->size());
        b.formats[i] = 1;
        continue;
      }
      // PostgreSQL text cannot hold NUL: refuse rather than store a cut value.
      if (s->find('\0') != std::string::npos) {
        throw PgError(fmt::format("{}: parameter {} holds a NUL byte, which PostgreSQL text cannot store", where(),
                                  i + 1),
                      "22021", Error::Retry::permanent);
      }
      b.texts[i] = *s;
    } else {
      continue;  // NULL
    }
    b.values[i] = b.texts[i].c_str();
    b.lengths[i] = static_cast<int>(b.texts[i].size());
  }
  return b;
}

PgResult PgConnection::exec(std::string_view sql, const std::vector<Value>& params, std::size_t binary_index) {
  if (!conn_) throw PgError(fmt::format("{}: not connected", where()), "08003", Error::Retry::transient);
  const Bound b = bind(params, binary_index);
  return check(PQexecParams(conn_.get(), std::string(sql).c_str(), static_cast<int>(params.size()), nullptr,
                            b.values.data(), b.lengths.data(), b.formats.data(), 0),
               sql);
}

void PgConnection::each_row(std::string_view sql, const std::vector<Value>& params,
                            const std::function<void(const PgResult&, int)>& row) {
  if (!conn_) throw PgError(fmt::format("{}: not connected", where()), "08003", Error::Retry::transient);
  pg_conn* c = conn_.get();
  const Bound b = bind(params, params.size());
  if (PQsendQueryParams(c, std::string(sql).c_str(), static_cast<int>(params.size()), nullptr, b.values.data(),
                        b.lengths.data(), b.formats.data(), 0) != 1) {
    check(nullptr, sql);  // throws why it was not sent
  }
  // Refused (it never is right after a send): the rows come as one result.
  (void)PQsetSingleRowMode(c);
  // Every result is read, a failure's too: libpq needs the null that ends
  // them before the connection takes another statement.
  std::exception_ptr failed;
  for (pg_result* raw = PQgetResult(c); raw != nullptr; raw = PQgetResult(c)) {
    if (failed) {
      PQclear(raw);
      continue;
    }
    try {
      const auto status = PQresultStatus(raw);
      if (status != PGRES_SINGLE_TUPLE) {
        check(raw, sql);  // the end of the rows (PGRES_TUPLES_OK), or throws the error
        continue;
      }
      const PgResult r(raw);
      row(r, 0);
    } catch (...) {
      failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
}

// Prepared once per connection: no parsing or planning per execution, most
// of a small statement's server time. Keyed by the text itself and named in
// order: a name derived from a hash of the text could, however unlikely,
// run another statement's plan.
std::string PgConnection::prepare_once(std::string_view sql, std::size_t params) {
  if (auto it = prepared_.find(sql); it != prepared_.end()) return it->second;
  std::string text(sql);
  auto name = fmt::format("p{}", prepared_.size());
  check(PQprepare(conn_.get(), name.c_str(), text.c_str(), static_cast<int>(params), nullptr), sql);
  prepared_.emplace(std::move(text), name);
  return name;
}

PgResult PgConnection::prepared(std::string_view sql, const std::vector<Value>& params) {
  if (!conn_) throw PgError(fmt::format("{}: not connected", where()), "08003", Error::Retry::transient);
  const Bound b = bind(params, params.size());
  const auto name = prepare_once(sql, params.size());
  return check(PQexecPrepared(conn_.get(), name.c_str(), static_cast<int>(params.size()), b.values.data(),
                              b.lengths.data(), b.formats.data(), 0),
               sql);
}

std::vector<PgResult> PgConnection::pipeline(const std::vector<PgStatement>& statements) {
  if (!conn_) throw PgError(fmt::format("{}: not connected", where()), "08003", Error::Retry::transient);
  pg_conn* c = conn_.get();
  auto lost = [&](const char* what) {
    return PgError(fmt::format("{}: {}: {}", where(), what, one_line(PQerrorMessage(c))), "08006",
                   Error::Retry::transient);
  };
  std::vector<std::string> names;
  names.reserve(statements.size());
  for (const auto& st : statements) names.push_back(prepare_once(st.sql, st.params.size()));
  // Bound before the first is sent: a parameter refused here must not
  // leave half a pipeline on the connection.
  std::vector<Bound> bound;
  bound.reserve(statements.size());
  for (const auto& st : statements) bound.push_back(bind(st.params, st.binary_index));
  if (PQenterPipelineMode(c) != 1) throw lost("cannot enter pipeline mode");
  // A connection left in pipeline mode (results unread after a failure)
  // could run nothing else: it is closed, and alive() says so.
  struct LeaveOrClose {
    PgConnection& self;
    ~LeaveOrClose() {
      if (self.conn_ && PQpipelineStatus(self.conn_.get()) != PQ_PIPELINE_OFF &&
          PQexitPipelineMode(self.conn_.get()) != 1) {
        self.conn_.reset();
      }
    }
  } leave{*this};
  // libpq copies each statement into its output buffer as it is sent.
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const auto& b = bound[i];
    if (PQsendQueryPrepared(c, names[i].c_str(), static_cast<int>(statements[i].params.size()), b.values.data(),
                            b.lengths.data(), b.formats.data(), 0) != 1) {
      throw lost("cannot send a statement");
    }
  }
  if (PQpipelineSync(c) != 1) throw lost("cannot send the pipeline");
  // Each statement's result is followed by a null; after a failure the
  // rest come back PIPELINE_ABORTED; the sync's own result ends it.
  std::vector<PgResult> out;
  out.reserve(statements.size());
  std::optional<PgError> failure;
  for (std::size_t i = 0; i < statements.size(); ++i) {
    pg_result* r = PQgetResult(c);
    if (!r) break;  // the connection is gone
    while (pg_result* extra = PQgetResult(c)) PQclear(extra);
    if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
      PQclear(r);
      continue;
    }
    try {
      out.push_back(check(r, statements[i].sql));
    } catch (const PgError& e) {
      if (!failure) failure = e;
    }
  }
  pg_result* sync = PQgetResult(c);
  const bool synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (failure) throw *failure;  // after the sync: the connection can go on
  if (!synced || out.size() != statements.size()) throw lost("pipeline ended early");
  if (PQexitPipelineMode(c) != 1) throw lost("cannot leave pipeline mode");
  return out;
}

bool PgConnection::wait_for_notification(std::chrono::milliseconds timeout) {
  auto lost = [&] {
    return PgError(fmt::format("{}: connection lost while waiting for notifications: {}", where(),
                               one_line(PQerrorMessage(conn_.get()))),
                   "08006", Error::Retry::transient);
  };
  if (!alive()) throw lost();
  auto drain = [&] {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn_.get())) {
      PQfreemem(n);
      any = true;
    }
    return any;
  };
  if (drain()) return true;
  pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
  int ready = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  if (ready < 0) return false;  // EINTR: the caller waits again
  if (ready == 0) return false;
  if (PQconsumeInput(conn_.get()) == 0 || !alive()) throw lost();
  return drain();
}

// ---- PgTransaction ----

PgTransaction::PgTransaction(PgConnection& db, Mode mode) : db_(db) {
  db_.exec(mode == Mode::snapshot_read_only ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : kBeginReadCommitted);
}

PgTransaction::~PgTransaction() {
  if (done_ || !db_.alive()) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
    // The error that made us roll back is the one worth reporting.
  }
}

void PgTransaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::string pg_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace reviewer::storage
