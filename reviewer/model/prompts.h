// Prompt templates, shipped in guidance/default/prompts/*.txt and embedded
// at build time. Each starts with "version: N"; the version goes into every
// recorded call so an auditor knows which words the model saw.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace reviewer::model {

const std::vector<std::pair<std::string_view, std::string_view>>& embedded_prompts();

struct PromptTemplate {
  std::string name;     // "system", "intent", "logic"
  std::string version;  // "logic@1"
  std::string text;     // without the version line
};

// The named template, or nullopt when none ships with that name.
std::optional<PromptTemplate> prompt_template(std::string_view name);

}  // namespace reviewer::model
