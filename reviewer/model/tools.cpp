#include "reviewer/model/tools.h"

#include <algorithm>

#include <fmt/format.h>

#include "reviewer/git/index/repo_index.h"
#include "reviewer/git/repository.h"

namespace reviewer::model {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxResultBytes = 8000;
constexpr int kMaxReadLines = 200;
constexpr std::size_t kMaxFileBytes = 1 << 20;

std::string capped(std::string s) {
  if (s.size() > kMaxResultBytes) {
    s.resize(kMaxResultBytes);
    s += "\n[truncated]";
  }
  return s;
}

json string_param(const char* description) { return {{"type", "string"}, {"description", description}}; }

}  // namespace

std::vector<ToolSpec> tool_specs(const std::vector<std::string>& whitelist) {
  std::vector<ToolSpec> all = {
      {"list_hunks", "List the pull request's changed hunks (new-side line ranges), optionally for one path.",
       {{"type", "object"}, {"properties", {{"path", string_param("a path from the diff")}}}}},
      {"read_file",
       "Read lines of a file at the pull request's head commit (at most 200 lines per call).",
       {{"type", "object"},
        {"properties",
         {{"path", string_param("repository path")},
          {"start_line", {{"type", "integer"}, {"minimum", 1}}},
          {"end_line", {{"type", "integer"}, {"minimum", 1}}}}},
        {"required", {"path", "start_line", "end_line"}}}},
      {"lookup_symbol", "Find where a function, class or variable is defined at the head commit.",
       {{"type", "object"}, {"properties", {{"name", string_param("identifier")}}}, {"required", {"name"}}}},
  };
  std::vector<ToolSpec> out;
  for (auto& t : all) {
    if (std::find(whitelist.begin(), whitelist.end(), t.name) != whitelist.end()) out.push_back(std::move(t));
  }
  return out;
}

std::vector<std::string> tool_whitelist(const std::string& agent) {
  if (agent == "logic") return {"list_hunks", "read_file", "lookup_symbol"};
  return {"list_hunks", "read_file"};
}

struct ToolBox::Impl {
  const Diff& diff;
  std::filesystem::path repo_path;
  std::string head_sha;
  std::vector<std::string> whitelist;
  std::optional<git::Repository> repo;  // opened on first use, in the calling thread
  std::optional<index::RepoIndex> index;

  git::Repository& repository() {
    if (repo_path.empty() || head_sha.empty()) throw std::runtime_error("no repository in this review");
    if (!repo) repo.emplace(git::Repository::open(repo_path));
    return *repo;
  }

  std::string list_hunks(const json& args) {
    const std::string only = args.contains("path") && args["path"].is_string() ? args["path"].get<std::string>() : "";
    std::string out;
    for (const auto& f : diff.files) {
      if (!only.empty() && f.path() != only) continue;
      out += fmt::format("{} (+{} -{}){}\n", f.path(), f.additions, f.deletions, f.binary ? " binary" : "");
      for (const auto& h : f.hunks) {
        out += fmt::format("  lines {}-{}: {}\n", h.new_start, h.new_start + std::max(h.new_lines, 1) - 1, h.header);
      }
    }
    return out.empty() ? "no such path in the diff" : out;
  }

  std::string read_file(const json& args) {
    if (!args.contains("path") || !args["path"].is_string()) throw std::runtime_error("'path' is required");
    const std::string path = args["path"].get<std::string>();
    const int start = args.value("start_line", 1);
    int end = args.value("end_line", start + kMaxReadLines - 1);
    if (start < 1 || end < start) throw std::runtime_error("need 1 <= start_line <= end_line");
    end = std::min(end, start + kMaxReadLines - 1);
    auto text = repository().read_file(head_sha, path, kMaxFileBytes);
    if (!text) return "no such file at the head commit";
    std::string out;
    int n = 1;
    std::size_t pos = 0;
    while (pos <= text->size() && n <= end) {
      auto eol = text->find('\n', pos);
      if (eol == std::string::npos) eol = text->size();
      if (n >= start) out += fmt::format("{:>6}: {}\n", n, std::string_view(*text).substr(pos, eol - pos));
      pos = eol + 1;
      ++n;
    }
    return out.empty() ? "no lines in that range" : out;
  }

  std::string lookup_symbol(const json& args) {
    if (!args.contains("name") || !args["name"].is_string()) throw std::runtime_error("'name' is required");
    const std::string name = args["name"].get<std::string>();
    if (name.empty() || name.size() > 200) throw std::runtime_error("bad name");
    if (!index) index.emplace(index::RepoIndex::open(repository().get(), head_sha, index::IndexOptions{}));
    std::string out;
    int shown = 0;
    for (const auto& d : index->definitions(name)) {
      if (++shown > 20) break;
      out += fmt::format("{}:{}\n", index->path(d.file), d.line);
    }
    return out.empty() ? "no definition found" : out;
  }
};

ToolBox::ToolBox(const Diff& diff, std::filesystem::path repo_path, std::string head_sha,
                 std::vector<std::string> whitelist)
    : impl_(std::make_unique<Impl>(Impl{diff, std::move(repo_path), std::move(head_sha), std::move(whitelist), {}, {}})) {}

ToolBox::~ToolBox() = default;

std::string ToolBox::run(const ToolCall& call, bool* ok) {
  *ok = false;
  const auto& wl = impl_->whitelist;
  if (std::find(wl.begin(), wl.end(), call.name) == wl.end()) {
    return fmt::format("error: tool '{}' is not available", call.name.substr(0, 64));
  }
  try {
    std::string out;
    if (call.name == "list_hunks") out = impl_->list_hunks(call.arguments);
    else if (call.name == "read_file") out = impl_->read_file(call.arguments);
    else out = impl_->lookup_symbol(call.arguments);
    *ok = true;
    return capped(std::move(out));
  } catch (const std::exception& e) {
    return capped(fmt::format("error: {}", e.what()));
  }
}

}  // namespace reviewer::model
