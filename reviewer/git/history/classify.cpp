#include "reviewer/git/history/classify.h"

#include <cctype>

#include <fmt/format.h>
#include <re2/re2.h>

#include "reviewer/core/error.h"
#include "reviewer/core/text.h"

namespace reviewer::history {

namespace {

std::unique_ptr<re2::RE2> compile(const std::string& pattern, std::string_view what) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_unique<re2::RE2>(pattern, opts);
  if (!re->ok()) {
    throw Error(Error::Code::invalid_input, fmt::format("history: invalid {} pattern: {}", what, re->error()));
  }
  return re;
}

std::string_view first_line(std::string_view message) {
  return message.substr(0, message.find('\n'));
}

// "fix: x", "fix(parser): x", "fix!: x", case-insensitive type.
bool conventional_type_is(std::string_view subject, const std::vector<std::string>& types) {
  auto end = subject.find_first_of("(!:");
  if (end == std::string_view::npos) return false;
  const std::string type = lower(trim(subject.substr(0, end)));
  if (subject.substr(end).find(':') == std::string_view::npos) return false;
  for (const auto& t : types) {
    if (type == t) return true;
  }
  return false;
}

}  // namespace

std::string normalise_subject(std::string_view subject) {
  subject = trim(subject);
  // A trailing " (#123)" is what GitHub's squash merge appends.
  if (!subject.empty() && subject.back() == ')') {
    auto open = subject.rfind(" (#");
    if (open != std::string_view::npos) {
      auto num = subject.substr(open + 3, subject.size() - open - 4);
      bool digits = !num.empty();
      for (char c : num) digits = digits && std::isdigit(static_cast<unsigned char>(c));
      if (digits) subject = trim(subject.substr(0, open));
    }
  }
  return std::string(subject);
}

MessageClassifier::MessageClassifier(const Classifier& c)
    : fix_types_(c.fix_types),
      reference_(compile(c.fix_reference, "fix reference")),
      keywords_(compile(c.fix_keywords, "fix keyword")),
      reverts_sha_(compile(R"((?i)this reverts commit ([0-9a-f]{7,40}))", "revert")),
      revert_title_(compile(R"re(^[Rr]evert:? "(.+)"(?: \(#\d+\))?\s*$)re", "revert title")) {}

MessageClassifier::~MessageClassifier() = default;
MessageClassifier::MessageClassifier(MessageClassifier&&) noexcept = default;
MessageClassifier& MessageClassifier::operator=(MessageClassifier&&) noexcept = default;

MessageClass MessageClassifier::classify(std::string_view message) const {
  MessageClass out;
  const std::string_view subject = trim(first_line(message));
  re2::StringPiece input(message.data(), message.size());
  std::string sha;
  while (RE2::FindAndConsume(&input, *reverts_sha_, &sha)) {
    out.reverted_shas.push_back(lower(sha));
  }
  std::string title;
  if (RE2::FullMatch(re2::StringPiece(subject.data(), subject.size()), *revert_title_, &title)) {
    out.reverted_title = normalise_subject(title);
  }
  out.revert = !out.reverted_shas.empty() || !out.reverted_title.empty();
  if (out.revert) return out;  // a revert is labelled through its target, not as a fix
  out.fix = conventional_type_is(subject, fix_types_) ||
            RE2::PartialMatch(re2::StringPiece(message.data(), message.size()), *reference_) ||
            RE2::PartialMatch(re2::StringPiece(subject.data(), subject.size()), *keywords_);
  return out;
}

}  // namespace reviewer::history
