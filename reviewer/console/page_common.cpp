// What the pages share: answers, the error page, the login form and the
// filter form.
#include <algorithm>

#include <fmt/format.h>

#include "audit/console_queries.h"
#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"

namespace reviewer::console {

namespace {

std::string select(const char* name, const char* label, const std::string& chosen,
                   std::initializer_list<std::pair<const char*, const char*>> options) {
  std::string out = fmt::format("<label>{} <select name=\"{}\">", label, name);
  for (const auto& [value, text] : options) {
    out += fmt::format("<option value=\"{}\"{}>{}</option>", value, chosen == value ? " selected" : "", text);
  }
  return out + "</select></label>";
}

}  // namespace

HttpAnswer html_answer(unsigned status, std::string body) {
  return {status, std::move(body), "text/html; charset=utf-8", false, {}};
}

HttpAnswer error_page(unsigned status, const std::string& title, const std::string& message, const std::string& user) {
  return html_answer(status, page({title, user, false}, fmt::format("<p class=\"error\">{}</p>", escape(message))));
}

HttpAnswer login_page(const std::string& message) {
  std::string main;
  if (!message.empty()) main += fmt::format("<p class=\"error\">{}</p>", escape(message));
  main +=
      "<p>Sign in with an auditor token (one whose hash is in the console's tokens file). The form sends it "
      "once; the console answers with a session cookie and a page address without the token.</p>"
      "<form method=\"get\" action=\"/\" class=\"login\"><label>Token "
      "<input type=\"password\" name=\"token\" autocomplete=\"off\" required></label>"
      "<button type=\"submit\">Sign in</button></form>";
  return html_answer(200, page({"Sign in", "", false}, main));
}

std::string filter_form(PageContext& c, const FilterForm& f, const std::string& action, bool all_fields,
                        const std::string& extra_fields) {
  std::string repos = "<label>Repositories <select name=\"repo\" multiple size=\"4\">";
  for (const auto& r : audit::console_repositories(c.log())) {
    const bool chosen = std::find(f.repositories.begin(), f.repositories.end(), r) != f.repositories.end();
    repos += fmt::format("<option value=\"{}\"{}>{}</option>", escape(r), chosen ? " selected" : "", escape(r));
  }
  repos += "</select></label>";
  std::string out = fmt::format(
      "<form method=\"get\" action=\"{}\" class=\"filter\">"
      "<label>From <input type=\"date\" name=\"since\" value=\"{}\"></label>"
      "<label>To <input type=\"date\" name=\"until\" value=\"{}\"></label>{}",
      escape(action), escape(f.since), escape(f.until), repos);
  if (all_fields) {
    out += select("approver", "Approved by", f.approver,
                  {{"", "any"}, {"bot", "the bot"}, {"person", "a person"}, {"none", "nobody"}});
  }
  if (all_fields && action == "/changes") {
    out += select("decision", "Decision", f.decision,
                  {{"", "any"}, {"approve", "approve"}, {"comment", "comment"}, {"request_changes", "request_changes"},
                   {"needs_human", "needs_human"}});
    out += select("reverted", "Reverted", f.reverted, {{"", "any"}, {"yes", "yes"}, {"no", "no"}});
    out += select("checks", "Checks", f.checks,
                  {{"", "any"}, {"failed", "failed"}, {"pending", "not completed at merge"}, {"passed", "passed"},
                   {"none", "none recorded"}});
  }
  return out + extra_fields + "<button type=\"submit\">Show</button></form>";
}

}  // namespace reviewer::console
