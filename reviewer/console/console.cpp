#include "reviewer/console/console.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <variant>

#include <boost/beast/core/string.hpp>
#include <fmt/format.h>

#include "audit/readonly_session.h"
#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"
#include "reviewer/console/static_files.h"
#include "reviewer/core/error.h"
#include "reviewer/core/sha256.h"
#include "reviewer/core/text.h"
#include "storage/postgres.h"

namespace reviewer::console {

namespace {

namespace http_ = boost::beast::http;
using http::HttpAnswer;
using http::HttpRequest;

using Page = HttpAnswer (*)(PageContext&);
const std::map<std::string, Page, std::less<>> kPages = {
    {"/", overview_page},       {"/changes", changes_page},         {"/changes.csv", changes_csv},
    {"/change", change_page},   {"/sample", sample_page},           {"/sample/pack.tar", sample_pack},
    {"/sql", sql_page},         {"/sql.csv", sql_csv}};

std::string header(const HttpRequest& req, std::string_view name) {
  const auto it = req.find(boost::beast::string_view(name.data(), name.size()));
  return it == req.end() ? std::string() : std::string(it->value());
}

// The value of cookie `name` in the Cookie header, "" when absent.
std::string cookie(const HttpRequest& req, std::string_view name) {
  const std::string all = header(req, "Cookie");
  for (std::size_t at = 0; at < all.size();) {
    const auto end = std::min(all.find(';', at), all.size());
    const std::string_view pair = trim(std::string_view(all).substr(at, end - at));
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    at = end + 1;
  }
  return "";
}

HttpAnswer redirect(const std::string& location) {
  HttpAnswer a = html_answer(303, "");
  a.headers.emplace_back("Location", location);
  return a;
}

HttpAnswer method_not_allowed() {
  HttpAnswer a{405, "405 method not allowed: the audit console only reads (GET and HEAD)\n",
               "text/plain; charset=utf-8", false, {{"Allow", "GET, HEAD"}}};
  return a;
}

HttpAnswer unauthorized(const std::string& why) {
  HttpAnswer a = html_answer(
      401, page({"Sign in required", "", false},
                fmt::format("<p class=\"error\">{}</p><p><a href=\"/login\">Sign in with an auditor token</a>, or send "
                            "<code>Authorization: Bearer &lt;token&gt;</code>.</p>",
                            escape(why))));
  a.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"reviewer audit\"");
  return a;
}

// A proxy's user name, as shown: printable, at most 100 bytes.
std::string shown_user(std::string_view v) {
  std::string out;
  for (const char c : v.substr(0, 100)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  return out;
}

bool is_read(const HttpRequest& req) {
  return req.method() == http_::verb::get || req.method() == http_::verb::head;
}

}  // namespace

const http::HttpHeaders& security_headers() {
  static const http::HttpHeaders headers = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"}};
  return headers;
}

std::string log_identity(const std::string& location) {
  if (storage::is_postgres_url(location)) return "postgresql " + storage::redact_url(location);
  std::error_code error;
  const auto path = std::filesystem::weakly_canonical(location, error);
  return "sqlite " + (error ? location : path.string());
}

std::string default_summary_cache(const std::string& location, const std::filesystem::path& data_dir) {
  const auto keyed = [&](const char* kind) {
    return (data_dir / fmt::format("overview-summary-{}-{}", kind, sha256_hex(log_identity(location)).substr(0, 16)))
        .string();
  };
  if (storage::is_postgres_url(location)) return keyed("pg");
  // Beside the log, unless its folder is not the console's to write (a
  // console run as an auditor's user over the bot's log): then in the data
  // directory, keyed as a PostgreSQL log's.
  auto folder = std::filesystem::path(location).parent_path();
  if (folder.empty()) folder = ".";
  if (::access(folder.c_str(), W_OK | X_OK) != 0) return keyed("sqlite");
  return location + ".overview-summary";
}

Console::Console(ConsoleOptions options)
    : options_(std::move(options)),
      logs_(options_.location, options_.query_timeout),
      overviews_(options_.overview_cache) {
  if (options_.overview_summary) {
    live_ = std::make_unique<LiveOverview>([this] { return logs_.open(); },
                                           LiveOverview::SummaryCache{options_.summary_cache,
                                                                      log_identity(options_.location),
                                                                      std::chrono::seconds(60),
                                                                      options_.summary_note});
  }
}

void Console::wait_for_warm_up() const {
  if (live_) live_->wait_for_warm_up();
}

std::optional<HttpAnswer> Console::head(const HttpRequest& req, std::uint64_t& body_limit) const {
  if (!is_read(req)) return method_not_allowed();
  body_limit = 0;  // a GET with a body is refused by the listener (413)
  return std::nullopt;
}

std::variant<std::string, HttpAnswer> Console::authenticate(const HttpRequest& req, const Params& params,
                                                            const std::string& path) const {
  // Who is asking: a bearer token, the trusted header, the token of the
  // login form (answered with the session cookie), or that cookie.
  const auto now = options_.now();
  if (const std::string auth = header(req, "Authorization"); !auth.empty()) {
    const bool bearer = auth.size() > 7 && boost::beast::iequals(auth.substr(0, 7), "Bearer ");
    const auto hash = bearer ? options_.tokens.accept(trim(std::string_view(auth).substr(7))) : std::nullopt;
    if (!hash) return unauthorized(bearer ? "That bearer token is not accepted." : "Only Bearer tokens are accepted.");
    return "token " + hash->substr(0, 8);
  }
  if (!options_.trusted_header.empty()) {
    if (const std::string proxied = header(req, options_.trusted_header); !proxied.empty()) return shown_user(proxied);
  }
  if (params.has("token")) {
    const auto hash = options_.tokens.accept(params.get("token"));
    if (!hash) {
      HttpAnswer a = login_page("That token is not accepted.");
      a.status = 401;
      a.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"reviewer audit\"");
      return a;
    }
    // The token leaves the address at once; the cookie holds a session
    // value, never the token. Secure when a TLS proxy says it forwarded
    // HTTPS (a browser refuses a Secure cookie over plain HTTP).
    HttpAnswer a = redirect(path + query_string(params.without("token")));
    a.headers.emplace_back(
        "Set-Cookie", fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", Sessions::kCookie,
                                  sessions_.issue(*hash, now), Sessions::kLifetime.count(),
                                  lower(header(req, "X-Forwarded-Proto")) == "https" ? "; Secure" : ""));
    return a;
  }
  if (const auto hash = sessions_.check(cookie(req, Sessions::kCookie), options_.tokens, now)) {
    return "token " + hash->substr(0, 8);
  }
  return unauthorized("Sign in to read the audit log.");
}

HttpAnswer Console::handle(const HttpRequest& req) const {
  if (!is_read(req)) return method_not_allowed();
  const std::string target(req.target());
  const std::string path = target.substr(0, target.find('?'));
  const std::string query = path.size() < target.size() ? target.substr(path.size() + 1) : "";
  std::string user;
  try {
    const Params params = Params::parse(query);
    if (path.starts_with("/static/")) {
      const auto file = static_file(std::string_view(path).substr(8));
      if (!file) return error_page(404, "Not found", "No such file.", "");
      return {200, std::string(file->bytes), std::string(file->content_type), false, {}};
    }
    if (path == "/login") return login_page("");
    if (path == "/logout") {
      HttpAnswer a = redirect("/login");
      a.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict",
                                                       Sessions::kCookie));
      return a;
    }
    auto who = authenticate(req, params, path);
    if (auto* refused = std::get_if<HttpAnswer>(&who)) return std::move(*refused);
    user = std::get<std::string>(who);

    const auto route = kPages.find(path);
    if (route == kPages.end()) return error_page(404, "Not found", "No such page.", user);
    PageContext context(
        params, user,
        [this] { return logs_.open(); }, overviews_,
        live_.get());
    return route->second(context);
  } catch (const BadRequest& e) {
    return error_page(400, "Bad request", e.what(), user);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reviewer audit serve: %s: %s\n", path.c_str(), e.what());
    return error_page(500, "The log could not be read", e.what(), user);
  }
}

http::HttpRoutes Console::routes() const {
  http::HttpRoutes r;
  r.on_head = [this](const HttpRequest& req, std::uint64_t& limit) { return head(req, limit); };
  r.on_request = [this](HttpRequest req, http::HttpReply reply) { reply(handle(req)); };
  r.headers = security_headers();
  return r;
}

}  // namespace reviewer::console
