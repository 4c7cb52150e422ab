#include "reviewer/model/prompts.h"

namespace reviewer::model {

std::optional<PromptTemplate> prompt_template(std::string_view name) {
  for (const auto& [n, text] : embedded_prompts()) {
    if (n != name) continue;
    PromptTemplate t;
    t.name = std::string(n);
    std::string_view body = text;
    std::string version = "0";
    if (body.rfind("version:", 0) == 0) {
      const auto eol = body.find('\n');
      std::string_view v = body.substr(8, eol == std::string_view::npos ? body.size() - 8 : eol - 8);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      version = std::string(v);
      body = eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);
    }
    t.version = t.name + "@" + version;
    t.text = std::string(body);
    return t;
  }
  return std::nullopt;
}

}  // namespace reviewer::model
