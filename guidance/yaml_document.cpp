#include "guidance/yaml_document.h"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <sstream>
#include <string_view>

#include "reviewer/core/error.h"

namespace reviewer::guidance_yaml {

namespace {

// Walks the parser's events and throws at the first one the limits refuse.
// It builds nothing, so a refused document costs what reading up to the
// offending event costs.
class LimitChecker final : public YAML::EventHandler {
 public:
  LimitChecker(const std::string& file, const Limits& limits) : file_(file), limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (limits_.single_document && ++documents_ > 1) {
      fail(file_, mark, "a guidance file holds one YAML document; remove the second '---'");
    }
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { node(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { refuse_alias(mark, "an alias (*name)"); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    node(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { --depth_; }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { --depth_; }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override {
    refuse_alias(mark, "an anchor (&name)");
  }

 private:
  void refuse_alias(const YAML::Mark& mark, const char* what) {
    if (limits_.allow_aliases) return;
    fail(file_, mark,
         fmt::format("{} is not allowed in a repository's guidance file (aliases can expand a small file "
                     "into gigabytes); write the values out",
                     what));
  }
  void node(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) refuse_alias(mark, "an anchor (&name)");
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    node(mark, anchor);
    if (limits_.max_depth > 0 && ++depth_ > limits_.max_depth) {
      fail(file_, mark, fmt::format("nested deeper than {} levels", limits_.max_depth));
    }
  }

  const std::string& file_;
  const Limits& limits_;
  int depth_ = 0;
  int documents_ = 0;
};

nlohmann::json convert(const std::string& file, const YAML::Node& n, const Limits& limits,
                       std::size_t& nodes) {
  if (limits.max_nodes > 0 && ++nodes > limits.max_nodes) {
    fail(file, n.Mark(),
         fmt::format("the document expands to more than {} values (aliases repeated too often)",
                     limits.max_nodes));
  }
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
      auto arr = nlohmann::json::array();
      for (const auto& item : n) arr.push_back(convert(file, item, limits, nodes));
      return arr;
    }
    case YAML::NodeType::Map: {
      auto obj = nlohmann::json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) fail(file, kv.first.Mark(), "keys must be plain strings");
        obj[kv.first.Scalar()] = convert(file, kv.second, limits, nodes);
      }
      return obj;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() == "?") {
        long long i;
        if (YAML::convert<long long>::decode(n, i)) return i;
        double d;
        if (YAML::convert<double>::decode(n, d)) return d;
        bool b;
        if (YAML::convert<bool>::decode(n, b)) return b;
      }
      return s;
    }
  }
  return nullptr;
}

}  // namespace

void fail(const std::string& file, const YAML::Mark& mark, const std::string& msg) {
  if (mark.is_null()) throw Error(Error::Code::invalid_input, fmt::format("{}: {}", file, msg));
  throw Error(Error::Code::invalid_input,
              fmt::format("{}:{}:{}: {}", file, mark.line + 1, mark.column + 1, msg));
}

namespace {

// The offset of the first byte that is not part of well-formed UTF-8
// (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), or
// npos. yaml-cpp passes such bytes through into strings, and nlohmann's
// dump() then throws type_error 316 wherever the value is shown (fuzzing,
// tests/fuzz/README.md): a document must be text before it is read.
std::size_t first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (c >= 0xC2 && c <= 0xDF) n = 1;
    else if (c == 0xE0) n = 2, lo = 0xA0;
    else if (c == 0xED) n = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) n = 2;
    else if (c == 0xF0) n = 3, lo = 0x90;
    else if (c == 0xF4) n = 3, hi = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) n = 3;
    else return i;
    if (i + n >= s.size()) return i;  // cut short by the end of the text
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += n + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::string repair_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    const std::size_t bad = first_invalid_utf8(text);
    if (bad == std::string_view::npos) {
      out += text;
      break;
    }
    out += text.substr(0, bad);
    out += "\xEF\xBF\xBD";  // U+FFFD
    text.remove_prefix(bad + 1);
  }
  return out;
}

YAML::Node parse(const std::string& file, const std::string& text, const Limits& limits) {
  if (limits.max_bytes > 0 && text.size() > limits.max_bytes) {
    fail(file, YAML::Mark::null_mark(),
         fmt::format("{} bytes is larger than the {} bytes a guidance file may hold", text.size(),
                     limits.max_bytes));
  }
  if (const std::size_t bad = first_invalid_utf8(text); bad != std::string_view::npos) {
    YAML::Mark at = YAML::Mark::null_mark();
    at.pos = static_cast<int>(bad);
    at.line = static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(bad), '\n'));
    const std::size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    at.column = static_cast<int>(bad == 0 || line_start == std::string::npos ? bad : bad - line_start - 1);
    fail(file, at, fmt::format("byte 0x{:02X} is not UTF-8: a guidance file must be UTF-8 text",
                               static_cast<unsigned char>(text[bad])));
  }
  try {
    if (!limits.allow_aliases || limits.max_depth > 0 || limits.single_document) {
      std::istringstream in(text);
      YAML::Parser parser(in);
      LimitChecker checker(file, limits);
      while (parser.HandleNextDocument(checker)) {
      }
    }
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    fail(file, e.mark, e.msg);
  }
}

nlohmann::json to_json(const std::string& file, const YAML::Node& root, const Limits& limits) {
  std::size_t nodes = 0;
  return convert(file, root, limits, nodes);
}

}  // namespace reviewer::guidance_yaml
