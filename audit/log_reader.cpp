#include "audit/log_reader.h"

#include <sqlite3.h>

#include <fmt/format.h>

#include "audit/migrate.h"
#include "audit/schema_check.h"

namespace reviewer::audit {

namespace {

class SqliteReader final : public LogReader {
 public:
  SqliteReader(Connection& db, bool keep_statements) : db_(db), keep_(keep_statements) {}

  void each(std::string_view sql, const std::vector<Value>& params,
            const std::function<void(const LogRow&)>& row) override {
    auto st = keep_ ? db_.cached(sql) : db_.prepare(sql);
    for (std::size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 1), params[i]);
    LogRow r;
    // A text value is assigned into the string the row held before, so a
    // read of many rows reuses its buffers rather than allocating per value.
    const auto set_text = [&st](Value& v, int i) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), i));
      const std::string_view text = p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st.get(), i)))
                                      : std::string_view();
      if (auto* s = std::get_if<std::string>(&v)) s->assign(text);
      else v = std::string(text);
    };
    while (st.step()) {
      r.values.resize(static_cast<std::size_t>(st.column_count()));
      r.foreign = false;
      for (int i = 0; i < st.column_count(); ++i) {
        auto& v = r.values[static_cast<std::size_t>(i)];
        switch (st.column_type(i)) {
          case SQLITE_INTEGER: v = st.column_int64(i); break;
          case SQLITE_TEXT: set_text(v, i); break;
          case SQLITE_NULL: v = std::monostate{}; break;
          default: r.foreign = true; set_text(v, i);
        }
      }
      row(r);
    }
  }

  std::vector<TableLayout> chained_tables() override { return audit::chained_tables(db_); }

  std::vector<std::string> column_names(const std::string& table) override {
    std::vector<std::string> names;
    auto q = db_.prepare(fmt::format("PRAGMA table_info(\"{}\")", table));
    while (q.step()) names.push_back(q.column_text(1));
    return names;
  }

  int schema_version() override { return audit::schema_version(db_); }

  std::string structure_problem(const std::vector<TableLayout>& tables) override {
    if (auto why = missing_triggers(tables); !why.empty()) return why;
    return schema_difference(db_);
  }

  std::string where() const override { return db_.where(); }
  Backend backend() const override { return Backend::sqlite; }

 private:
  std::string missing_triggers(const std::vector<TableLayout>& tables) {
    auto q = db_.prepare(
        "SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ? AND name = ? "
        "AND sql LIKE '%RAISE(ABORT%'");
    for (const auto& t : tables) {
      for (const char* what : {"update", "delete"}) {
        std::string name = fmt::format("{}_no_{}", t.name, what);
        q.bind(1, t.name);
        q.bind(2, name);
        bool present = q.step();
        q.reset();
        if (!present) {
          return fmt::format("append-only trigger {} is missing or altered: table {} accepts {}s", name, t.name,
                             what == std::string("update") ? "UPDATE" : "DELETE");
        }
      }
    }
    return "";
  }

  Connection& db_;
  bool keep_;
};

}  // namespace

ChainHead read_head(LogReader& log, const std::vector<TableLayout>& tables) {
  ChainHead h;
  for (const auto& t : tables) {
    log.each(fmt::format("SELECT seq, row_hash FROM \"{}\" ORDER BY seq DESC LIMIT 1", t.name), {},
             [&](const LogRow& r) {
               const auto* seq = std::get_if<std::int64_t>(&r.values[0]);
               const auto* hash = std::get_if<std::string>(&r.values[1]);
               if (seq && hash && *seq > h.seq) h = {*seq, *hash};
             });
  }
  return h;
}

std::unique_ptr<LogReader> sqlite_reader(Connection& db, bool keep_statements) {
  return std::make_unique<SqliteReader>(db, keep_statements);
}

}  // namespace reviewer::audit
