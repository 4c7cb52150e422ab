#include "audit/chain.h"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "reviewer/core/error.h"

namespace reviewer::audit {

namespace {

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void append_len_prefixed(std::string& out, std::string_view s) {
  append_int(out, static_cast<std::int64_t>(s.size()));
  out += ':';
  out.append(s);
}

// The newest row of one table: a backwards step on the rowid (= seq), with
// no sorter or temporary table (those cost a page-cache set-up each time).
Statement last_row_query(Connection& db, const TableLayout& t) {
  return db.prepare(fmt::format("SELECT seq, row_hash FROM \"{}\" ORDER BY seq DESC LIMIT 1", t.name));
}

ChainHead head_of(std::vector<Statement>& per_table) {
  ChainHead h;
  for (auto& q : per_table) {
    if (q.step() && q.column_int64(0) > h.seq) {
      h.seq = q.column_int64(0);
      h.hash = q.column_text(1);
    }
    q.reset();
  }
  return h;
}

}  // namespace

std::vector<TableLayout> chained_tables(Connection& db) {
  std::vector<TableLayout> out;
  auto names = db.prepare(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (names.step()) {
    TableLayout t{names.column_text(0), {}};
    auto info = db.prepare(fmt::format("PRAGMA table_info(\"{}\")", t.name));
    bool has_seq = false, has_prev = false, has_hash = false;
    while (info.step()) {
      std::string col = info.column_text(1);
      has_seq |= col == "seq";
      has_prev |= col == "prev_hash";
      if (col == "row_hash") {
        has_hash = true;
        continue;
      }
      t.columns.push_back(col);
    }
    if (has_seq && has_prev && has_hash) out.push_back(std::move(t));
  }
  return out;
}

std::string canonical_row(const TableLayout& layout, const std::vector<Value>& values) {
  std::string out;
  out.reserve(512);
  out += "reviewer-audit-row-v1\n";
  append_len_prefixed(out, layout.name);
  for (std::size_t i = 0; i < layout.columns.size(); ++i) {
    append_len_prefixed(out, layout.columns[i]);
    const Value& v = values[i];
    if (const auto* n = std::get_if<std::int64_t>(&v)) {
      out += 'I';
      append_int(out, *n);
      out += ';';
    } else if (const auto* s = std::get_if<std::string>(&v)) {
      out += 'T';
      append_len_prefixed(out, *s);
    } else {
      out += 'N';
    }
  }
  return out;
}

std::string fast_sha256_hex(std::string_view bytes) {
  // EVP_Digest would re-fetch the algorithm on every call (OpenSSL 3);
  // fetching once and re-using a per-thread context is several times faster.
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!md || !ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1) {
    throw Error(Error::Code::internal, "SHA-256 failed (OpenSSL)");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 0xf];
  }
  return out;
}

ChainHead read_head(Connection& db, const std::vector<TableLayout>& tables) {
  std::vector<Statement> queries;
  for (const auto& t : tables) queries.push_back(last_row_query(db, t));
  return head_of(queries);
}

// ---- ChainWriter ----

ChainWriter::Row& ChainWriter::Row::set(std::string_view column, Value v) {
  const auto& cols = layout_->columns;
  // Writers set columns in declaration order: try the one after the last
  // set first, so a row costs one compare per column, not a search.
  if (next_ < cols.size() && cols[next_] == column) {
    values_[next_++] = std::move(v);
    return *this;
  }
  auto it = std::find(cols.begin(), cols.end(), column);
  if (it == cols.end()) {
    throw Error(Error::Code::internal,
                fmt::format("audit: table {} has no column {}", layout_->name, column));
  }
  next_ = static_cast<std::size_t>(it - cols.begin());
  values_[next_++] = std::move(v);
  return *this;
}

ChainWriter::ChainWriter(Connection& db)
    : db_(db), cookie_query_(db.prepare("PRAGMA schema_version")), data_version_query_(db.prepare("PRAGMA data_version")) {
  load();
}

void ChainWriter::load() {
  cookie_query_.step();
  schema_cookie_ = cookie_query_.column_int64(0);
  cookie_query_.reset();
  inserts_.clear();
  head_queries_.clear();
  tables_ = chained_tables(db_);
  for (const auto& t : tables_) {
    std::string cols, params;
    for (const auto& c : t.columns) {
      cols += fmt::format("\"{}\", ", c);
      params += "?, ";
    }
    inserts_.push_back(db_.prepare(
        fmt::format("INSERT INTO \"{}\" ({}row_hash) VALUES ({}?)", t.name, cols, params)));
  }
  for (const auto& t : tables_) head_queries_.push_back(last_row_query(db_, t));
}

void ChainWriter::start(std::string now) {
  cookie_query_.step();
  bool changed = cookie_query_.column_int64(0) != schema_cookie_;
  cookie_query_.reset();
  if (changed) load();
  data_version_query_.step();
  const std::int64_t version = data_version_query_.column_int64(0);
  data_version_query_.reset();
  if (!changed && version == data_version_) {
    head_ = committed_head_;  // nobody else wrote since our last commit
  } else {
    head_ = head_of(head_queries_);
  }
  data_version_ = -1;  // until committed()
  pending_version_ = version;
  now_ = std::move(now);
}

void ChainWriter::committed() {
  committed_head_ = head_;
  data_version_ = pending_version_;
}

ChainWriter::Row ChainWriter::row(std::string_view table) const {
  for (std::size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].name == table) {
      Row r;
      r.table_ = i;
      r.layout_ = &tables_[i];
      r.values_.resize(tables_[i].columns.size());
      return r;
    }
  }
  throw Error(Error::Code::internal, fmt::format("audit: no chained table {}", table));
}

void ChainWriter::append(Row& row) {
  row.set("seq", head_.seq + 1);
  row.set("prev_hash", head_.hash);
  row.set("recorded_at", now_);
  std::string hash = fast_sha256_hex(canonical_row(*row.layout_, row.values_));
  Statement& ins = inserts_[row.table_];
  int i = 1;
  for (const auto& v : row.values_) ins.bind_static(i++, v);
  ins.bind(i, std::string_view(hash));
  try {
    ins.step();
  } catch (...) {
    ins.reset();
    throw;
  }
  ins.reset();  // also clears the bindings before row.values_ can change
  head_.seq += 1;
  head_.hash = std::move(hash);
}

}  // namespace reviewer::audit
