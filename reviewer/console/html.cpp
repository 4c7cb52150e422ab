#include "reviewer/console/html.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace reviewer::console {

namespace {

// Length of the valid UTF-8 sequence at `s[i]`, or 0.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    const char c = text[i++];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      case '\t':
      case '\n': out += c; break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out += c;
    }
  }
  return out;
}

std::string script_json(const nlohmann::json& j) {
  const std::string dumped = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(dumped.size());
  for (std::size_t i = 0; i < dumped.size(); ++i) {
    const char c = dumped[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xe2' && i + 2 < dumped.size() && dumped[i + 1] == '\x80' &&
             (dumped[i + 2] == '\xa8' || dumped[i + 2] == '\xa9')) {
      out += dumped[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string url_encode(std::string_view s) {
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') out += c;
    else out += fmt::format("%{:02X}", u);
  }
  return out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    out += fmt::format("{}{}={}", out.empty() ? "?" : "&", url_encode(name), url_encode(value));
  }
  return out;
}

std::string external_link(std::string_view url, std::string_view text) {
  const bool web = url.starts_with("https://") || url.starts_with("http://");
  const bool plain = url.find_first_of(" \t\r\n\"'<>\\") == std::string_view::npos;
  if (!web || !plain || url.size() > 2048) return escape(text);
  return fmt::format("<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>", escape(url), escape(text));
}

std::string page(const PageFrame& frame, std::string_view main) {
  std::string nav;
  if (!frame.user.empty()) {
    nav = fmt::format(
        "<nav><a href=\"/\">Overview</a><a href=\"/changes\">Changes</a><a href=\"/sample\">Audit sample</a>"
        "<a href=\"/sql\">SQL</a><span class=\"user\">{}</span><a href=\"/logout\">Sign out</a></nav>",
        escape(frame.user));
  }
  const char* scripts =
      frame.charts ? "<script src=\"/static/chart.js\"></script><script src=\"/static/console.js\"></script>\n" : "";
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\">"
      "<title>{} — reviewer audit</title><link rel=\"stylesheet\" href=\"/static/console.css\"></head>\n"
      "<body><header><span class=\"brand\">reviewer audit</span>{}</header>\n<main>\n<h1>{}</h1>\n{}\n</main>\n{}"
      "</body></html>\n",
      escape(frame.title), nav, escape(frame.title), main, scripts);
}

}  // namespace reviewer::console
