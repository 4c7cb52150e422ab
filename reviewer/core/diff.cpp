#include "reviewer/core/diff.h"

namespace reviewer {

void own_text(FileDiff& file) {
  std::size_t bytes = 0;
  for (const auto& hunk : file.hunks) {
    for (const auto& line : hunk.lines) bytes += line.content.size() + 1;
  }
  if (bytes == 0) {
    file.text.reset();
    return;
  }
  // Filled completely before any line points at it: the old contents may
  // view the file's previous text, which lives until the end. The buffer
  // and the view of it are one allocation.
  struct Owned {
    std::string bytes;
    std::string_view view;
  };
  auto owned = std::make_shared<Owned>();
  std::string* text = &owned->bytes;
  text->reserve(bytes);
  for (const auto& hunk : file.hunks) {
    for (const auto& line : hunk.lines) {
      text->append(line.content);
      text->push_back('\n');
    }
  }
  std::size_t at = 0;
  for (auto& hunk : file.hunks) {
    for (auto& line : hunk.lines) {
      line.content = std::string_view(*text).substr(at, line.content.size());
      at += line.content.size() + 1;
    }
  }
  owned->view = owned->bytes;
  file.text = std::shared_ptr<const std::string_view>(owned, &owned->view);
}

void own_text(Diff& diff) {
  for (auto& file : diff.files) own_text(file);
}

}  // namespace reviewer
