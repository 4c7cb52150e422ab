// Read-only tools a model may call during a review: list the PR's hunks,
// read a line range of a file at the head commit, look a symbol up in the
// repository index. Nothing here writes (beyond the index's own cache) or
// reaches the network; results are capped in size.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reviewer/core/diff.h"
#include "reviewer/model/chat.h"

namespace reviewer::model {

// Every tool's spec; an agent is offered the subset its whitelist names.
std::vector<ToolSpec> tool_specs(const std::vector<std::string>& whitelist);

// Which tools each model-backed agent may use.
std::vector<std::string> tool_whitelist(const std::string& agent);

class ToolBox {
 public:
  // `repo_path` may be empty: then only list_hunks works.
  ToolBox(const Diff& diff, std::filesystem::path repo_path, std::string head_sha,
          std::vector<std::string> whitelist);
  ~ToolBox();

  // The tool's textual result. Unknown or non-whitelisted tools and bad
  // arguments give an error text (the model sees it); *ok says which.
  std::string run(const ToolCall& call, bool* ok);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace reviewer::model
