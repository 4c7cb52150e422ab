// Structured logs: one JSON object per line, one line per event, with the
// delivery id and run id where there is one. Callers pass only fields that
// are safe to write: never the webhook secret or a token.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace reviewer::app {

class JsonLog {
 public:
  // Writes to `out` (not owned; stderr by default).
  explicit JsonLog(std::FILE* out = stderr) : out_(out) {}

  // Writes {"ts": ..., "level": ..., "event": ..., <fields>} and a newline.
  void write(const char* level, const std::string& event, nlohmann::json fields = nlohmann::json::object());
  void info(const std::string& event, nlohmann::json fields = nlohmann::json::object()) {
    write("info", event, std::move(fields));
  }
  void warn(const std::string& event, nlohmann::json fields = nlohmann::json::object()) {
    write("warn", event, std::move(fields));
  }
  void error(const std::string& event, nlohmann::json fields = nlohmann::json::object()) {
    write("error", event, std::move(fields));
  }
  // Bytes written so far (the forged-flood benchmark reads it).
  long bytes_written() const;

 private:
  std::FILE* out_;
  mutable std::mutex mu_;
  long bytes_ = 0;
};

// Aggregates a flood of one kind of event (rejected deliveries) into at most
// one log line per interval, so an attacker cannot fill the disk: the first
// event in a quiet period is logged at once, the rest are counted and
// summarised ("suppressed": N, by reason) when the interval has passed or on
// flush().
class AggregatedLog {
 public:
  AggregatedLog(JsonLog& log, std::string event, std::chrono::milliseconds interval)
      : log_(log), event_(std::move(event)), interval_(interval) {}
  void note(const std::string& reason, nlohmann::json detail);
  void flush();

 private:
  void emit_locked(std::chrono::steady_clock::time_point now);
  JsonLog& log_;
  std::string event_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_emit_{};
  nlohmann::json counts_ = nlohmann::json::object();
  long suppressed_ = 0;
};

}  // namespace reviewer::app
