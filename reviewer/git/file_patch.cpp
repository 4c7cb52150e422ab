#include "reviewer/git/file_patch.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <git2.h>

namespace reviewer::git {
namespace {

// Complete lines inside the first `bytes` bytes: line k (1-based) lies
// within the cap exactly when k <= this count.
std::size_t lines_within(std::string_view text, std::size_t bytes) {
  if (bytes >= text.size()) return SIZE_MAX;
  return static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bytes), '\n'));
}

// A hunk header as xdiff writes it ("@@ -1,3 +1,4 @@", a count of 1 left
// out), followed by `tail` (libgit2's function context, if any).
std::string hunk_header(const Hunk& h, std::string_view tail = {}) {
  auto range = [](int start, int count) { return count == 1 ? fmt::format("{}", start) : fmt::format("{},{}", start, count); };
  return fmt::format("@@ -{} +{} @@{}", range(h.old_start, h.old_lines), range(h.new_start, h.new_lines), tail);
}

struct Collector {
  FileDiff* file;
  std::size_t old_cap_lines;
  std::size_t new_cap_lines;
  std::string_view old_text, new_text;  // what is being diffed
  bool keeping = true;  // false once a hunk crossed the cap
  // Lines libgit2 handed over from memory of its own rather than from the
  // two texts (none seen: a guard, so no line views memory freed after its
  // callback), until diff_text copies them out with the rest.
  std::deque<std::string> copies{};
};

bool within(std::string_view text, const char* p, std::size_t n) {
  const auto begin = reinterpret_cast<std::uintptr_t>(text.data());
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  return !text.empty() && at >= begin && n <= text.size() && at - begin <= text.size() - n;
}

int on_hunk(const git_diff_delta*, const git_diff_hunk* h, void* payload) {
  auto* c = static_cast<Collector*>(payload);
  if (!c->keeping) return 0;
  Hunk& hunk = c->file->hunks.emplace_back();
  hunk.old_start = h->old_start;
  hunk.old_lines = h->old_lines;
  hunk.new_start = h->new_start;
  hunk.new_lines = h->new_lines;
  std::size_t len = h->header_len;
  while (len > 0 && (h->header[len - 1] == '\n' || h->header[len - 1] == '\r')) --len;
  hunk.header.assign(h->header, len);
  // Context counts on both sides: old + new is at least the hunk's lines
  // (and exact for a hunk that only adds or only deletes).
  hunk.lines.reserve(static_cast<std::size_t>(std::max(h->old_lines, 0)) + static_cast<std::size_t>(std::max(h->new_lines, 0)));
  return 0;
}

int on_line(const git_diff_delta*, const git_diff_hunk*, const git_diff_line* l, void* payload) {
  auto* c = static_cast<Collector*>(payload);
  LineOrigin origin;
  switch (l->origin) {
    case GIT_DIFF_LINE_ADDITION:
      ++c->file->additions;
      origin = LineOrigin::added;
      break;
    case GIT_DIFF_LINE_DELETION:
      ++c->file->deletions;
      origin = LineOrigin::deleted;
      break;
    case GIT_DIFF_LINE_CONTEXT:
      origin = LineOrigin::context;
      break;
    case GIT_DIFF_LINE_CONTEXT_EOFNL:
    case GIT_DIFF_LINE_ADD_EOFNL:
    case GIT_DIFF_LINE_DEL_EOFNL:
      // "\ No newline at end of file" follows the line that lacks it.
      if (c->keeping && !c->file->hunks.empty() && !c->file->hunks.back().lines.empty())
        c->file->hunks.back().lines.back().no_newline_at_eof = true;
      return 0;
    default:
      return 0;
  }
  if (!c->keeping || c->file->hunks.empty()) return 0;
  const bool beyond = (l->old_lineno > 0 && static_cast<std::size_t>(l->old_lineno) > c->old_cap_lines) ||
                      (l->new_lineno > 0 && static_cast<std::size_t>(l->new_lineno) > c->new_cap_lines);
  if (beyond) {
    // The hunk keeps its lines up to the cap, with counts of what it holds
    // (comments are placed by them); the rest of the file is not read.
    c->keeping = false;
    Hunk& h = c->file->hunks.back();
    if (h.lines.empty()) {
      c->file->hunks.pop_back();
      return 0;
    }
    h.old_lines = h.new_lines = 0;
    for (const DiffLine& kept : h.lines) {
      h.old_lines += kept.origin != LineOrigin::added;
      h.new_lines += kept.origin != LineOrigin::deleted;
    }
    const auto close = h.header.find("@@", 2);
    h.header = hunk_header(h, close == std::string::npos ? std::string_view() : std::string_view(h.header).substr(close + 2));
    return 0;
  }
  std::size_t len = l->content_len;
  bool crlf = false;
  if (len > 0 && l->content[len - 1] == '\n') {
    --len;
    if (len > 0 && l->content[len - 1] == '\r') {
      --len;
      crlf = true;
    }
  }
  DiffLine& line = c->file->hunks.back().lines.emplace_back();
  line.origin = origin;
  line.old_line = std::max(l->old_lineno, 0);
  line.new_line = std::max(l->new_lineno, 0);
  // A view into the text being diffed (libgit2 points each line into the
  // buffers it was given); diff_text copies the kept lines out before
  // returning.
  if (within(c->old_text, l->content, len) || within(c->new_text, l->content, len)) {
    line.content = std::string_view(l->content, len);
  } else {
    line.content = c->copies.emplace_back(l->content, len);
  }
  line.crlf = crlf;
  return 0;
}

}  // namespace

void one_sided_text(std::string_view text, std::size_t keep_bytes, LineOrigin origin, FileDiff& file,
                    std::shared_ptr<const void> owner) {
  if (text.empty()) {
    own_text(file);  // no lines: as a line diff of two empty sides
    return;
  }
  const bool added = origin == LineOrigin::added;
  {
    const auto all = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + (text.back() == '\n' ? 0 : 1);
    (added ? file.additions : file.deletions) += static_cast<int>(all);
  }
  // Over the cap, the complete lines within it are kept (the caller marks
  // the file truncated), as diff_text keeps a hunk up to the cap: what was
  // read is reviewed, and only the rest is left to a person.
  if (text.size() > keep_bytes) {
    const std::size_t cut = keep_bytes == 0 ? std::string_view::npos : text.rfind('\n', keep_bytes - 1);
    if (cut == std::string_view::npos) {
      own_text(file);  // not one complete line within the cap
      return;
    }
    text = text.substr(0, cut + 1);
  }
  const bool eof_newline = text.back() == '\n';
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + (eof_newline ? 0 : 1);
  // The buffer own_text would build (every line, then '\n') is the text
  // itself, plus a '\n' when the last line has none: the owner's bytes as
  // they are, or one copy. A "\r\n" ending is not part of a line's
  // content, so such a file is built line by line.
  const bool crlf = text.find("\r\n") != std::string_view::npos;
  struct Held {
    std::shared_ptr<const void> owner;
    std::string bytes;
    std::string_view view;
  };
  std::shared_ptr<Held> held;
  if (!crlf) {
    held = std::make_shared<Held>();
    if (owner && eof_newline) {
      held->owner = std::move(owner);
      held->view = text;
    } else {
      held->bytes.reserve(text.size() + 1);
      held->bytes.assign(text);
      if (!eof_newline) held->bytes.push_back('\n');
      held->view = held->bytes;
    }
  }
  Hunk& hunk = file.hunks.emplace_back();
  const int count = static_cast<int>(lines);
  (added ? hunk.new_start : hunk.old_start) = 1;
  (added ? hunk.new_lines : hunk.old_lines) = count;
  (added ? hunk.old_start : hunk.new_start) = 0;
  hunk.header = hunk_header(hunk);  // as libgit2 (xdiff) writes it
  hunk.lines.reserve(lines);
  const std::string_view from = crlf ? text : held->view;
  std::size_t at = 0;
  for (int k = 1; k <= count; ++k) {
    const std::size_t end = std::min(from.find('\n', at), text.size());
    std::size_t len = end - at;
    const bool line_crlf = end < text.size() && len > 0 && from[end - 1] == '\r';
    if (line_crlf) --len;
    DiffLine& line = hunk.lines.emplace_back();
    line.origin = origin;
    (added ? line.new_line : line.old_line) = k;
    line.crlf = line_crlf;
    line.content = from.substr(at, len);
    at = end + 1;
  }
  hunk.lines.back().no_newline_at_eof = !eof_newline;
  if (crlf) {
    own_text(file);  // the lines view `text`, which the caller owns
  } else {
    file.text = std::shared_ptr<const std::string_view>(held, &held->view);
  }
}

bool looks_binary(std::string_view data) {
  if (data.empty()) return false;  // an absent side has no data pointer at all
  return std::memchr(data.data(), 0, std::min<std::size_t>(data.size(), 8000)) != nullptr;
}

namespace {

// The line diff of two texts, `run` calling libgit2 with the options and
// the collector.
template <class Run>
int collect_diff(std::string_view old_text, std::string_view new_text, const PatchLimits& limits, FileDiff& file,
                 Run run) {
  git_diff_options opts;
  git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
  opts.context_lines = static_cast<std::uint32_t>(std::max(limits.context_lines, 0));
  opts.interhunk_lines = 0;
  // Binary detection was done by the caller; the indent heuristic is git's default.
  opts.flags = GIT_DIFF_FORCE_TEXT | GIT_DIFF_INDENT_HEURISTIC;
  Collector c{&file, lines_within(old_text, limits.old_keep_bytes), lines_within(new_text, limits.new_keep_bytes),
              old_text, new_text};
  const int rc = run(opts, c);
  own_text(file);
  return rc;
}

std::string_view content_of(const git_blob* blob) {
  return {static_cast<const char*>(git_blob_rawcontent(blob)), static_cast<std::size_t>(git_blob_rawsize(blob))};
}

}  // namespace

int diff_text(std::string_view old_text, std::string_view new_text, const PatchLimits& limits,
              FileDiff& file) {
  return collect_diff(old_text, new_text, limits, file, [&](const git_diff_options& opts, Collector& c) {
    return git_diff_buffers(old_text.data(), old_text.size(), nullptr, new_text.data(), new_text.size(), nullptr,
                            &opts, nullptr, nullptr, on_hunk, on_line, &c);
  });
}

int diff_blobs(const git_blob* old_blob, const git_blob* new_blob, const PatchLimits& limits, FileDiff& file) {
  // No paths: libgit2 then looks up no diff driver (attributes), as for
  // buffers.
  return collect_diff(content_of(old_blob), content_of(new_blob), limits, file,
                      [&](const git_diff_options& opts, Collector& c) {
                        return git_diff_blobs(old_blob, nullptr, new_blob, nullptr, &opts, nullptr, nullptr, on_hunk,
                                              on_line, &c);
                      });
}

std::optional<std::uint32_t> blob_line_count(const git_blob* blob) {
  const auto size = static_cast<std::size_t>(git_blob_rawsize(blob));
  if (size > kLineCountMaxBytes || git_blob_is_binary(blob)) return std::nullopt;
  if (size == 0) return 0;
  const char* data = static_cast<const char*>(git_blob_rawcontent(blob));
  const auto lines = static_cast<std::uint32_t>(std::count(data, data + size, '\n'));
  return data[size - 1] == '\n' ? lines : lines + 1;
}

}  // namespace reviewer::git
