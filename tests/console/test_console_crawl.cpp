// Every page of the console is reachable from the overview: following each
// link and submitting each GET form with what it holds (as an auditor who
// only clicks would), a crawl from `/` reaches the changes and a change,
// the sample and its pack, the SQL page and both CSVs; no answer fails.
#include <deque>
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "console_fixture.h"
#include "reviewer/console/html.h"
#include "support/testutil.h"

namespace reviewer::console {

namespace {

std::string unescape_html(std::string s) {
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
    for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  }
  return s;
}

// The value of attribute `name` in the tag `tag` ("" when absent).
std::string attribute_of(const std::string& tag, const std::string& name) {
  const auto at = tag.find(" " + name + "=\"");
  if (at == std::string::npos) return "";
  const auto from = at + name.size() + 3;
  return unescape_html(tag.substr(from, tag.find('"', from) - from));
}

// Each element `<open …>` in `html`, its start tag and what follows up to `close`.
std::vector<std::pair<std::string, std::string>> elements(const std::string& html, const std::string& open,
                                                          const std::string& close) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto at = html.find("<" + open); at != std::string::npos; at = html.find("<" + open, at + 1)) {
    const auto tag_end = html.find('>', at);
    const auto end = close.empty() ? tag_end : html.find(close, tag_end);
    if (tag_end == std::string::npos || end == std::string::npos) break;
    out.emplace_back(html.substr(at, tag_end - at + 1), html.substr(tag_end + 1, end - tag_end - 1));
  }
  return out;
}

// What a GET form sends when submitted as it stands.
std::string submitted(const std::string& form_tag, const std::string& body) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [tag, rest] : elements(body, "input", "")) {
    if (!attribute_of(tag, "name").empty()) pairs.emplace_back(attribute_of(tag, "name"), attribute_of(tag, "value"));
  }
  for (const auto& [tag, inner] : elements(body, "select", "</select>")) {
    const auto options = elements(inner, "option", "");
    bool chosen = false;
    for (const auto& [option, text] : options) {
      if (option.find(" selected") != std::string::npos) {
        pairs.emplace_back(attribute_of(tag, "name"), attribute_of(option, "value"));
        chosen = true;
      }
    }
    if (!chosen && tag.find(" multiple") == std::string::npos && !options.empty()) {
      pairs.emplace_back(attribute_of(tag, "name"), attribute_of(options.front().first, "value"));
    }
  }
  for (const auto& [tag, text] : elements(body, "textarea", "</textarea>")) {
    pairs.emplace_back(attribute_of(tag, "name"), unescape_html(text));
  }
  return attribute_of(form_tag, "action") + query_string(pairs);
}

// The console's own targets a page leads to: links, and its forms submitted.
std::vector<std::string> leads(const std::string& page) {
  std::vector<std::string> out;
  for (const auto& [tag, rest] : elements(page, "a ", "")) {
    const std::string href = attribute_of(tag, "href");
    if (href.starts_with("/") && !href.starts_with("//")) out.push_back(href);
  }
  for (const auto& [tag, body] : elements(page, "form ", "</form>")) {
    if (attribute_of(tag, "method") == "get") out.push_back(submitted(tag, body));
  }
  return out;
}

}  // namespace

TEST_SUITE("console::crawl") {
  TEST_CASE("a crawl from the overview reaches every page, and none fails") {
    Console c(test::console_options(test::console_log(test::scratch_dir("crawl")).string()));
    std::deque<std::string> queue{"/"};
    std::set<std::string> seen{"/"};
    std::map<std::string, int> reached;  // path (without the query) -> pages
    while (!queue.empty() && seen.size() < 400) {
      const std::string target = queue.front();
      queue.pop_front();
      CAPTURE(target);
      const auto a = test::get(c, target);
      CHECK((a.status == 200 || a.status == 303));
      ++reached[target.substr(0, target.find('?'))];
      std::vector<std::string> next;
      if (a.content_type.starts_with("text/html")) next = leads(a.body);
      if (a.status == 303) next.push_back(test::header_of(a, "Location"));
      for (const auto& n : next) {
        if (seen.insert(n).second) queue.push_back(n);
      }
    }
    CHECK(queue.empty());  // the crawl ended, not the cap
    for (const char* path : {"/", "/changes", "/changes.csv", "/change", "/sample", "/sample/pack.tar", "/sql",
                             "/sql.csv", "/logout"}) {
      CAPTURE(path);
      CHECK(reached[path] > 0);
    }
    CHECK(reached["/change"] >= 6);  // every change the list shows
  }
}

}  // namespace reviewer::console
