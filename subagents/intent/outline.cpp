#include "subagents/intent/outline.h"

#include "subagents/intent/declared_kind.h"
#include "subagents/intent/file_class.h"

namespace reviewer::intent {

ChangeOutline outline_change(const PullRequest& pr, const Diff& diff, const IntentConfig& config) {
  ChangeOutline o;
  o.files.reserve(diff.files.size());
  for (const auto& fd : diff.files) {
    o.files.push_back({area_of(fd.path(), config),
                       fd.excluded() ? "generated/vendored" : std::string(classify_file(fd.path(), config))});
  }
  const auto declared = detect_intent(pr, config);
  o.declared_kind = declared.kind;
  o.declared_from = declared.source;
  return o;
}

}  // namespace reviewer::intent
