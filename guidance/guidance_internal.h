// The loader's steps, shared by guidance.cpp (the operator's layers) and
// repository_layer.cpp (a repository's own file). Internal to the library.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "guidance/guidance.h"
#include "guidance/yaml_document.h"

namespace reviewer::guidance_detail {

// Parses one file under `limits`; null for an empty file. Throws
// reviewer::Error "file:line:col: ..." for invalid YAML, a limit exceeded or
// a document that is not a mapping.
YAML::Node parse_root(const std::string& name, const std::string& text, const guidance_yaml::Limits& limits);

// Checks the top-level keys and the loader's own sections; agent sections
// only need to be mappings (their agents check them).
void validate(const std::string& file, const YAML::Node& root);

// Later layers override earlier ones key by key; lists are replaced whole.
void merge(nlohmann::json& into, const nlohmann::json& from);

// The typed Guidance of a merged document.
Guidance finish(nlohmann::json doc, std::vector<std::string> sources);

}  // namespace reviewer::guidance_detail
