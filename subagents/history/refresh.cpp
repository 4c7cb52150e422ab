#include "subagents/history/history_agent.h"

#include "reviewer/git/history/history_index.h"
#include "reviewer/git/repository.h"
#include "subagents/history/history_config.h"
#include "subagents/history/repository_model.h"

namespace reviewer {

HistoryRefresh refresh_history(const std::filesystem::path& path, const std::string& base_sha, const Guidance& g) {
  const auto cfg = history::load_history_config(g);
  auto repo = git::Repository::open(path);
  history::BuildOptions opts;
  opts.classifier = cfg.classifier;
  history::BuildStats st;
  // Read in place when the base is already indexed; the agent then finds
  // the same view.
  const auto index = history::open_index(repo.get(), base_sha, opts, &st);
  const auto choice = history::current_model(*index, cfg, history::default_dir(repo.get()));
  return {st.added, st.rebuilt, choice.trained, st.seconds};
}

}  // namespace reviewer
