#include "subagents/logic/line_view.h"

namespace reviewer::logic {

namespace {

using index::Lang;

class Scanner {
 public:
  explicit Scanner(Lang lang) : lang_(lang) {}

  LineView scan(std::string_view s) {
    LineView v;
    size_t i = 0;
    while (i < s.size()) {
      if (in_block_) {
        size_t end = s.find("*/", i);
        if (end == std::string_view::npos) {
          v.comment.append(s.substr(i));
          return v;
        }
        v.comment.append(s.substr(i, end - i));
        in_block_ = false;
        i = end + 2;
        continue;
      }
      if (close_ != 0) {  // inside a multi-line string
        i = skip_string(s, i, close_, triple_);
        if (i <= s.size() && ended_) {
          v.code.append(triple_ ? std::string(3, close_) : std::string(1, close_));
          close_ = 0;
        }
        continue;
      }
      char c = s[i];
      if (c_comments() && c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
        v.comment.append(s.substr(i + 2));
        return v;
      }
      if (c_comments() && c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
        in_block_ = true;
        i += 2;
        continue;
      }
      if (hash_comments() && c == '#' && !(lang_ == Lang::ruby && i + 1 < s.size() && s[i + 1] == '{')) {
        v.comment.append(s.substr(i + 1));
        return v;
      }
      if (string_quote(s, i)) {
        bool triple = lang_ == Lang::python && s.substr(i, 3) == std::string(3, c);
        bool multiline = triple || c == '`';
        v.code.append(triple ? std::string(3, c) : std::string(1, c));
        i = skip_string(s, i + (triple ? 3 : 1), c, triple);
        if (ended_) {
          v.code.append(triple ? std::string(3, c) : std::string(1, c));
        } else if (multiline) {
          close_ = c;
          triple_ = triple;
        }
        continue;
      }
      v.code.push_back(c);
      ++i;
    }
    return v;
  }

 private:
  bool c_comments() const {
    return lang_ == Lang::c || lang_ == Lang::js || lang_ == Lang::go || lang_ == Lang::java || lang_ == Lang::rust;
  }
  bool hash_comments() const { return lang_ == Lang::python || lang_ == Lang::ruby || lang_ == Lang::data; }

  bool string_quote(std::string_view s, size_t i) const {
    char c = s[i];
    if (lang_ == Lang::unknown) return false;
    if (c == '"') return true;
    if (c == '`') return lang_ == Lang::js || lang_ == Lang::go;
    if (c != '\'') return false;
    if (lang_ == Lang::rust) return (i + 2 < s.size() && s[i + 2] == '\'') || (i + 1 < s.size() && s[i + 1] == '\\');
    if (lang_ == Lang::c && i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9') return false;  // 1'000
    return true;
  }

  // From i (inside the string), to just past the closing quote; sets ended_.
  size_t skip_string(std::string_view s, size_t i, char q, bool triple) {
    ended_ = false;
    bool escapes = !(q == '`' && lang_ == Lang::go);
    while (i < s.size()) {
      if (s[i] == '\\' && escapes) {
        i += 2;
        continue;
      }
      if (s[i] == q && (!triple || s.substr(i, 3) == std::string(3, q))) {
        ended_ = true;
        return i + (triple ? 3 : 1);
      }
      ++i;
    }
    return s.size();
  }

  Lang lang_;
  bool in_block_ = false;
  char close_ = 0;
  bool triple_ = false;
  bool ended_ = false;
};

}  // namespace

std::vector<LineView> line_views(index::Lang lang, const std::vector<std::string_view>& lines) {
  Scanner sc(lang);
  std::vector<LineView> out;
  out.reserve(lines.size());
  for (auto l : lines) {
    if (lang == Lang::unknown) {
      out.push_back(LineView{std::string(l), {}});
    } else {
      out.push_back(sc.scan(l));
    }
  }
  return out;
}

}  // namespace reviewer::logic
