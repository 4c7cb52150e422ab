#include "reviewer/app/log.h"

#include <ctime>

namespace reviewer::app {

namespace {

std::string utc_now_millis() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

void JsonLog::write(const char* level, const std::string& event, nlohmann::json fields) {
  nlohmann::json line = {{"ts", utc_now_millis()}, {"level", level}, {"event", event}};
  if (fields.is_object()) {
    for (auto& [k, v] : fields.items()) line[k] = std::move(v);
  }
  // Attacker-controlled strings may hold invalid UTF-8: replace, never throw.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::lock_guard lock(mu_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
  bytes_ += static_cast<long>(text.size());
}

long JsonLog::bytes_written() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

void AggregatedLog::note(const std::string& reason, nlohmann::json detail) {
  std::lock_guard lock(mu_);
  auto now = std::chrono::steady_clock::now();
  counts_[reason] = counts_.value(reason, 0L) + 1;
  if (last_emit_ == std::chrono::steady_clock::time_point{} || now - last_emit_ >= interval_) {
    // Quiet period over: this event is logged in full with the summary.
    nlohmann::json f = std::move(detail);
    f["reason"] = reason;
    f["suppressed_since_last"] = suppressed_;
    f["counts_since_last"] = counts_;
    log_.warn(event_, std::move(f));
    counts_ = nlohmann::json::object();
    suppressed_ = 0;
    last_emit_ = now;
  } else {
    ++suppressed_;
  }
}

void AggregatedLog::emit_locked(std::chrono::steady_clock::time_point now) {
  if (suppressed_ == 0) return;
  log_.warn(event_ + "_summary", {{"suppressed", suppressed_}, {"counts", counts_}});
  counts_ = nlohmann::json::object();
  suppressed_ = 0;
  last_emit_ = now;
}

void AggregatedLog::flush() {
  std::lock_guard lock(mu_);
  emit_locked(std::chrono::steady_clock::now());
}

}  // namespace reviewer::app
