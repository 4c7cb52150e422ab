// The safety scan over one file's added lines (the shipped rules): secret
// patterns, decoding of hidden secrets, dangerous calls. Input: the first
// line is the file's path, every further line is an added line.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "guidance/guidance.h"
#include "reviewer/core/diff.h"
#include "reviewer/core/secret_scan.h"
#include "subagents/agent.h"
#include "subagents/safety/rules.h"
#include "subagents/safety/scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reviewer;
  static const Guidance guidance = load_guidance_texts({});
  static const auto rules = safety::rules_for(guidance);
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  FileDiff fd;
  fd.new_path = fd.old_path = std::string(nl == std::string_view::npos ? in : in.substr(0, nl));
  fd.old_mode = fd.new_mode = 0100644;
  Hunk h;
  h.new_start = 1;
  int n = 1;
  for (std::size_t at = nl == std::string_view::npos ? in.size() : nl + 1; at < in.size();) {
    nl = in.find('\n', at);
    const std::size_t end = nl == std::string_view::npos ? in.size() : nl;
    DiffLine dl;
    dl.origin = LineOrigin::added;
    dl.new_line = n++;
    dl.content = in.substr(at, end - at);
    h.lines.push_back(dl);
    at = end + 1;
  }
  h.new_lines = n - 1;
  fd.additions = n - 1;
  fd.hunks.push_back(std::move(h));
  own_text(fd);
  AgentContext ctx;
  ctx.pr.title = "Change";
  ctx.diff.files.push_back(std::move(fd));
  ctx.guidance = guidance;
  ctx.secret_scan = std::make_shared<SecretScan>();
  (void)safety::scan(*rules, ctx);
  return 0;
}
