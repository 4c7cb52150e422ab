// Type-safe reads of GitHub JSON (payloads and API answers): a missing,
// null or mistyped field reads as empty, never as an exception from the
// JSON library.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace reviewer::commands {

inline const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  static const nlohmann::json null_json;
  if (!j.is_object()) return null_json;
  auto it = j.find(key);
  return it == j.end() ? null_json : *it;
}

inline std::string text(const nlohmann::json& j, const char* key) {
  const auto& v = member(j, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

inline std::int64_t number(const nlohmann::json& j, const char* key) {
  const auto& v = member(j, key);
  return v.is_number_integer() ? v.get<std::int64_t>() : 0;
}

inline bool flag(const nlohmann::json& j, const char* key) {
  const auto& v = member(j, key);
  return v.is_boolean() && v.get<bool>();
}

}  // namespace reviewer::commands
