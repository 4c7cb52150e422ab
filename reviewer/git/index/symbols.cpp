#include "reviewer/git/index/symbols.h"

#include <algorithm>
#include <array>

namespace reviewer::index {

namespace {

// Reserved words that look like a call or a definition when followed by "(".
constexpr std::array<std::string_view, 33> kCommon = {
    "if", "else", "for", "while", "do", "switch", "case", "return", "new", "delete", "throw",
    "catch", "try", "sizeof", "typeof", "instanceof", "in", "not", "and", "or", "elif", "except",
    "with", "lambda", "yield", "await", "assert", "import", "from", "defined", "decltype",
    "static_assert", "alignof"};
constexpr std::array<std::string_view, 26> kTypesAndMore = {
    "int", "char", "void", "bool", "float", "double", "long", "short", "unsigned", "signed",
    "const", "static", "struct", "class", "enum", "union", "typedef", "template", "operator",
    "public", "private", "protected", "goto", "func", "fn", "def"};

bool is_punct(const Token& t, char c) { return t.kind == TokKind::punct && t.text[0] == c; }
bool is_ident(const Token& t) { return t.kind == TokKind::ident; }
bool is_word(const Token& t, std::string_view w) { return t.kind == TokKind::ident && t.text == w; }

class Analyzer {
 public:
  Analyzer(Lang lang, const std::vector<Token>& t) : lang_(lang), t_(t) {}

  Analysis run() {
    match_brackets();
    def_site_.assign(t_.size(), false);
    find_definitions();
    collect_occurrences();
    return std::move(out_);
  }

 private:
  const Token* tok(size_t i) const { return i < t_.size() ? &t_[i] : nullptr; }
  bool punct_at(size_t i, char c) const { return i < t_.size() && is_punct(t_[i], c); }
  bool word_at(size_t i, std::string_view w) const { return i < t_.size() && is_word(t_[i], w); }
  bool first_on_line(size_t i) const { return i == 0 || t_[i - 1].line != t_[i].line; }

  // match_[i]: index of the closing bracket for an opening one (or npos).
  void match_brackets() {
    match_.assign(t_.size(), SIZE_MAX);
    std::vector<size_t> stack;
    for (size_t i = 0; i < t_.size(); ++i) {
      if (t_[i].kind != TokKind::punct) continue;
      char c = t_[i].text[0];
      if (c == '(' || c == '[' || c == '{') {
        stack.push_back(i);
      } else if (c == ')' || c == ']' || c == '}') {
        char open = c == ')' ? '(' : c == ']' ? '[' : '{';
        // Pop until the matching kind: unbalanced code never derails the rest.
        while (!stack.empty() && t_[stack.back()].text[0] != open) stack.pop_back();
        if (!stack.empty()) {
          match_[stack.back()] = i;
          stack.pop_back();
        }
      }
    }
  }

  void add_def(size_t name_idx, DefKind kind, std::int16_t min = kUnknownArity,
               std::int16_t max = kUnknownArity, bool self = false) {
    const Token& n = t_[name_idx];
    if (is_keyword(lang_, n.text)) return;
    def_site_[name_idx] = true;
    out_.defs.push_back(Definition{n.text, kind, n.line, min, max, self});
  }

  // Counts the parameters between t_[open] "(" and its match.
  struct Params {
    std::int16_t min = 0, max = 0;
    bool self = false;
    bool ok = false;
  };
  Params params(size_t open) const {
    Params p;
    if (open >= t_.size() || match_[open] == SIZE_MAX) return p;
    size_t close = match_[open];
    p.ok = true;
    if (close == open + 1) return p;
    if (lang_ == Lang::c && close == open + 2 && word_at(open + 1, "void")) return p;
    bool generics = lang_ == Lang::c || lang_ == Lang::java || lang_ == Lang::rust || lang_ == Lang::js;
    int depth = 0, index = 0;
    bool optional = false, variadic = false, skip = false, empty = true, first_self = false;
    auto finish = [&]() {
      if (empty) return;
      if (skip) {
        // a marker like Python's "/" or Ruby's "&block": not a positional slot
      } else if (index == 0 && first_self) {
        p.self = true;
      } else if (variadic) {
        p.max = kVariadic;
      } else {
        if (p.max != kVariadic) ++p.max;
        if (!optional) ++p.min;
      }
      ++index;
      optional = variadic = skip = first_self = false;
      empty = true;
    };
    for (size_t i = open + 1; i < close; ++i) {
      const Token& t = t_[i];
      if (t.kind == TokKind::punct) {
        char c = t.text[0];
        if (c == '(' || c == '[' || c == '{' || (generics && c == '<')) ++depth;
        if (c == ')' || c == ']' || c == '}' || (generics && c == '>' && !punct_at(i - 1, '-') &&
                                                 !punct_at(i - 1, '='))) {
          --depth;
        }
        if (depth == 0 && c == ',') {
          finish();
          continue;
        }
        if (depth == 0 && empty) {
          if (c == '*' && (lang_ == Lang::python || lang_ == Lang::ruby)) variadic = true;
          if (c == '&' && lang_ == Lang::ruby) skip = true;
          if (c == '/' && lang_ == Lang::python) skip = true;
        }
        if (depth == 0 && c == '.' && punct_at(i + 1, '.') && punct_at(i + 2, '.')) variadic = true;
        if (depth == 0 && c == '=' && !punct_at(i + 1, '=') && !punct_at(i + 1, '>')) optional = true;
        if (depth == 0 && c == '?' && lang_ == Lang::js) optional = true;
        if (depth == 0 && c == ':' && lang_ == Lang::ruby) variadic = true;  // keyword args
      } else if (depth == 0 && empty && index == 0 &&
                 ((lang_ == Lang::python && (t.text == "self" || t.text == "cls")) ||
                  (lang_ == Lang::rust && t.text == "self"))) {
        first_self = true;
      } else if (depth == 0 && lang_ == Lang::rust && index == 0 && t.text == "self") {
        first_self = true;  // &self, &mut self, mut self
      }
      empty = false;
    }
    finish();
    if (variadic) p.max = kVariadic;
    return p;
  }

  void function_at(size_t name_idx, size_t open, DefKind kind) {
    Params p = params(open);
    if (p.ok) {
      add_def(name_idx, p.self ? DefKind::method : kind, p.min, p.max, p.self);
    } else {
      add_def(name_idx, kind);
    }
  }

  // After a parameter list: does a body or a declaration follow?
  bool c_function_tail(size_t close) const {
    const Token* n = tok(close + 1);
    if (!n) return false;
    if (n->kind == TokKind::punct) {
      char c = n->text[0];
      return c == '{' || c == ';' || c == ':' || (c == '-' && punct_at(close + 2, '>')) ||
             (c == '=' && !punct_at(close + 2, '='));
    }
    return n->text == "const" || n->text == "noexcept" || n->text == "override" ||
           n->text == "final" || n->text == "throws" || n->text == "throw" ||
           n->text == "volatile" || n->text == "requires" || n->text == "where";
  }

  bool c_like_prev_ok(size_t i) const {
    // Walk back over a qualifier chain "A::B::name" (and "~" for destructors).
    size_t j = i;
    if (j > 0 && punct_at(j - 1, '~')) --j;
    bool qualified = false;
    while (j >= 3 && punct_at(j - 1, ':') && punct_at(j - 2, ':') && is_ident(t_[j - 3])) {
      j -= 3;
      qualified = true;
    }
    if (j == 0) return qualified;
    const Token& p = t_[j - 1];
    if (p.kind == TokKind::ident) return !is_keyword(lang_, p.text) || p.text == "void" ||
                                        p.text == "int" || p.text == "char" || p.text == "bool" ||
                                        p.text == "long" || p.text == "double" || p.text == "float" ||
                                        p.text == "unsigned" || p.text == "short" || p.text == "static" ||
                                        p.text == "const" || p.text == "public" || p.text == "private" ||
                                        p.text == "protected";
    if (p.kind != TokKind::punct) return false;
    char c = p.text[0];
    if (c == '*' || c == '&' || c == ']') return true;
    if (c == '>') return !punct_at(j - 2, '-');
    return qualified && (c == '}' || c == ';' || first_on_line(j));
  }

  void find_definitions() {
    for (size_t i = 0; i < t_.size(); ++i) {
      const Token& t = t_[i];
      if (t.kind != TokKind::ident) continue;
      switch (lang_) {
        case Lang::c: c_def(i); break;
        case Lang::java: java_def(i); break;
        case Lang::python: python_def(i); break;
        case Lang::js: js_def(i); break;
        case Lang::go: go_def(i); break;
        case Lang::ruby: ruby_def(i); break;
        case Lang::rust: rust_def(i); break;
        default: break;
      }
    }
  }

  void c_def(size_t i) {
    const Token& t = t_[i];
    if ((t.text == "struct" || t.text == "class" || t.text == "union" || t.text == "enum") &&
        tok(i + 1) && is_ident(t_[i + 1])) {
      size_t n = i + 1;
      if (t_[n].text == "class" || t_[n].text == "struct") ++n;  // enum class
      if (n < t_.size() && is_ident(t_[n]) && (punct_at(n + 1, '{') || punct_at(n + 1, ':') ||
                                                word_at(n + 1, "final"))) {
        add_def(n, DefKind::type);
      }
      return;
    }
    if (t.text == "define" && i > 0 && punct_at(i - 1, '#') && tok(i + 1) && is_ident(t_[i + 1]) &&
        t_[i + 1].line == t.line) {
      // Function-like macro only when "(" follows with no space: NAME(
      size_t n = i + 1;
      if (punct_at(n + 1, '(') && t_[n + 1].col == t_[n].col + t_[n].text.size()) {
        function_at(n, n + 1, DefKind::macro);
      } else {
        add_def(n, DefKind::macro);
      }
      return;
    }
    if (punct_at(i + 1, '(') && !is_keyword(lang_, t.text) && c_like_prev_ok(i) &&
        match_[i + 1] != SIZE_MAX && c_function_tail(match_[i + 1])) {
      function_at(i, i + 1, DefKind::function);
    }
  }

  void java_def(size_t i) {
    const Token& t = t_[i];
    if ((t.text == "class" || t.text == "interface" || t.text == "enum" || t.text == "record") &&
        tok(i + 1) && is_ident(t_[i + 1]) && !punct_at(i - 1, '.')) {
      add_def(i + 1, DefKind::type);
      return;
    }
    if (punct_at(i + 1, '(') && !is_keyword(lang_, t.text) && i > 0 && match_[i + 1] != SIZE_MAX) {
      const Token& p = t_[i - 1];
      bool prev_ok = (is_ident(p) && !is_keyword(lang_, p.text)) ||
                     (is_ident(p) && (p.text == "void" || p.text == "int" || p.text == "boolean" ||
                                      p.text == "long" || p.text == "double" || p.text == "public" ||
                                      p.text == "private" || p.text == "protected" || p.text == "static")) ||
                     is_punct(p, '>') || is_punct(p, ']');
      if (prev_ok && c_function_tail(match_[i + 1]) && !punct_at(match_[i + 1] + 1, ':')) {
        function_at(i, i + 1, DefKind::method);
      }
    }
  }

  void python_def(size_t i) {
    const Token& t = t_[i];
    if (t.text == "def" && tok(i + 1) && is_ident(t_[i + 1])) {
      if (punct_at(i + 2, '(')) {
        function_at(i + 1, i + 2, t.col > 0 ? DefKind::method : DefKind::function);
      } else {
        add_def(i + 1, DefKind::function);
      }
    } else if (t.text == "class" && tok(i + 1) && is_ident(t_[i + 1])) {
      add_def(i + 1, DefKind::type);
    } else if (t.col == 0 && first_on_line(i) && punct_at(i + 1, '=') && !punct_at(i + 2, '=')) {
      add_def(i, DefKind::variable);
    }
  }

  void js_def(size_t i) {
    const Token& t = t_[i];
    if (t.text == "function") {
      size_t n = i + 1;
      if (punct_at(n, '*')) ++n;
      if (tok(n) && is_ident(t_[n]) && punct_at(n + 1, '(')) function_at(n, n + 1, DefKind::function);
      return;
    }
    if ((t.text == "class" || t.text == "interface" || t.text == "enum" ||
         (t.text == "type" && first_on_line(i))) &&
        tok(i + 1) && is_ident(t_[i + 1]) && !punct_at(i - 1, '.')) {
      add_def(i + 1, DefKind::type);
      return;
    }
    if ((t.text == "const" || t.text == "let" || t.text == "var") && tok(i + 1) && is_ident(t_[i + 1]) &&
        punct_at(i + 2, '=') && !punct_at(i + 3, '=')) {
      size_t v = i + 3;
      if (word_at(v, "async")) ++v;
      if (word_at(v, "function")) {
        ++v;
        if (tok(v) && is_ident(t_[v])) ++v;
      }
      if (punct_at(v, '(') && match_[v] != SIZE_MAX &&
          (word_at(v - 1, "function") || is_ident(t_[v - 1]) ||
           (punct_at(match_[v] + 1, '=') && punct_at(match_[v] + 2, '>')))) {
        function_at(i + 1, v, DefKind::function);
      } else if (first_on_line(i) || word_at(i - 1, "export")) {
        add_def(i + 1, t.text == "const" ? DefKind::constant : DefKind::variable);
      }
      return;
    }
    // Class or object methods: "name(...) {" starting a line (after modifiers).
    if (punct_at(i + 1, '(') && !is_keyword(lang_, t.text) && match_[i + 1] != SIZE_MAX) {
      size_t j = i;
      while (j > 0 && t_[j - 1].line == t.line && is_ident(t_[j - 1]) &&
             (t_[j - 1].text == "async" || t_[j - 1].text == "static" || t_[j - 1].text == "get" ||
              t_[j - 1].text == "set" || t_[j - 1].text == "public" || t_[j - 1].text == "private" ||
              t_[j - 1].text == "protected" || t_[j - 1].text == "readonly")) {
        --j;
      }
      size_t close = match_[i + 1];
      if (first_on_line(j) && (punct_at(close + 1, '{') || (punct_at(close + 1, ':') && j != i))) {
        function_at(i, i + 1, DefKind::method);
      }
    }
  }

  void go_def(size_t i) {
    const Token& t = t_[i];
    if (t.text == "func") {
      size_t n = i + 1;
      DefKind kind = DefKind::function;
      if (punct_at(n, '(') && match_[n] != SIZE_MAX) {
        n = match_[n] + 1;  // receiver
        kind = DefKind::method;
      }
      if (!tok(n) || !is_ident(t_[n])) return;
      size_t open = n + 1;
      if (punct_at(open, '[') && match_[open] != SIZE_MAX) open = match_[open] + 1;  // type params
      if (punct_at(open, '(')) function_at(n, open, kind);
      return;
    }
    if ((t.text == "type" || t.text == "const" || t.text == "var") && first_on_line(i)) {
      DefKind kind = t.text == "type" ? DefKind::type : t.text == "const" ? DefKind::constant
                                                                         : DefKind::variable;
      if (punct_at(i + 1, '(') && match_[i + 1] != SIZE_MAX) {
        for (size_t k = i + 2; k < match_[i + 1]; ++k) {
          if (is_ident(t_[k]) && first_on_line(k)) add_def(k, kind);
        }
      } else if (tok(i + 1) && is_ident(t_[i + 1])) {
        add_def(i + 1, kind);
      }
    }
  }

  void ruby_def(size_t i) {
    const Token& t = t_[i];
    if (t.text == "def" && tok(i + 1)) {
      size_t n = i + 1;
      if (word_at(n, "self") && punct_at(n + 1, '.')) n += 2;
      if (!tok(n) || !is_ident(t_[n])) return;
      size_t after = n + 1;
      if (punct_at(after, '?') || punct_at(after, '!')) ++after;
      if (punct_at(after, '(') && t_[after].line == t_[n].line) {
        function_at(n, after, DefKind::method);
      } else if (!tok(after) || t_[after].line != t_[n].line) {
        add_def(n, DefKind::method, 0, 0);
      } else {
        add_def(n, DefKind::method);
      }
    } else if ((t.text == "class" || t.text == "module") && tok(i + 1) && is_ident(t_[i + 1])) {
      size_t n = i + 1;
      while (punct_at(n + 1, ':') && punct_at(n + 2, ':') && tok(n + 3) && is_ident(t_[n + 3])) n += 3;
      add_def(n, t.text == "class" ? DefKind::type : DefKind::module);
    } else if (first_on_line(i) && !t.text.empty() && t.text[0] >= 'A' && t.text[0] <= 'Z' &&
               punct_at(i + 1, '=') && !punct_at(i + 2, '=')) {
      add_def(i, DefKind::constant);
    }
  }

  void rust_def(size_t i) {
    const Token& t = t_[i];
    if (t.text == "fn" && tok(i + 1) && is_ident(t_[i + 1])) {
      size_t open = i + 2;
      if (punct_at(open, '<')) {
        int depth = 0;
        for (; open < t_.size(); ++open) {
          if (punct_at(open, '<')) ++depth;
          if (punct_at(open, '>') && !punct_at(open - 1, '-') && --depth == 0) break;
        }
        ++open;
      }
      if (punct_at(open, '(')) function_at(i + 1, open, DefKind::function);
      return;
    }
    static constexpr std::array<std::string_view, 8> kItems = {
        "struct", "enum", "trait", "type", "union", "mod", "const", "static"};
    if (std::find(kItems.begin(), kItems.end(), t.text) != kItems.end() && tok(i + 1) &&
        is_ident(t_[i + 1]) && t_[i + 1].text != "mut" && t_[i + 1].text != "fn") {
      DefKind kind = (t.text == "const" || t.text == "static") ? DefKind::constant
                     : t.text == "mod"                         ? DefKind::module
                                                               : DefKind::type;
      add_def(i + 1, kind);
    } else if (t.text == "macro_rules" && punct_at(i + 1, '!') && tok(i + 2) && is_ident(t_[i + 2])) {
      add_def(i + 2, DefKind::macro);
    }
  }

  // Every identifier, string and number; calls get their argument count,
  // counted with a stack of open brackets so the pass stays linear.
  void collect_occurrences() {
    struct Frame {
      size_t occ;        // index in out_.occs of the call, or SIZE_MAX
      char open;
      int commas = 0;
      bool any = false;
      bool unknown = false;
    };
    std::vector<Frame> stack;
    out_.occs.reserve(t_.size() / 2);
    bool generics = lang_ == Lang::c || lang_ == Lang::java || lang_ == Lang::rust || lang_ == Lang::js;
    for (size_t i = 0; i < t_.size(); ++i) {
      const Token& t = t_[i];
      if (t.kind == TokKind::punct) {
        char c = t.text[0];
        if (c == ')' || c == ']' || c == '}') {
          char open = c == ')' ? '(' : c == ']' ? '[' : '{';
          while (!stack.empty() && stack.back().open != open) stack.pop_back();
          if (!stack.empty()) {
            Frame f = stack.back();
            stack.pop_back();
            if (f.occ != SIZE_MAX && !f.unknown) {
              out_.occs[f.occ].argc = static_cast<std::int16_t>(f.any ? std::min(f.commas + 1, 1000) : 0);
            }
          }
          if (!stack.empty()) stack.back().any = true;
          continue;
        }
        if (!stack.empty()) {
          Frame& top = stack.back();
          if (c == ',') {
            ++top.commas;
          } else {
            bool after_sep = i > 0 && (punct_at(i - 1, '(') || punct_at(i - 1, ','));
            if (after_sep && (c == '*' || c == '.' || (c == '&' && lang_ == Lang::ruby))) top.unknown = true;
            if (generics && c == '<') top.unknown = true;
            if (c == ':' && (lang_ == Lang::python || lang_ == Lang::ruby)) top.unknown = true;
            top.any = true;
          }
        }
        if (c == '(' || c == '[' || c == '{') {
          size_t occ = SIZE_MAX;
          if (c == '(' && i > 0 && is_ident(t_[i - 1]) && !out_.occs.empty() &&
              last_ident_occ_ == i - 1) {
            occ = out_.occs.size() - 1;
            Occurrence& o = out_.occs[occ];
            if (o.kind == OccKind::ident && !is_keyword(lang_, o.text)) {
              bool dotted = i >= 2 && (punct_at(i - 2, '.') || (punct_at(i - 2, '>') && punct_at(i - 3, '-')));
              o.kind = dotted ? OccKind::method_call : OccKind::call;
            } else {
              occ = SIZE_MAX;
            }
          }
          stack.push_back(Frame{occ, c});
        }
        continue;
      }
      if (!stack.empty()) stack.back().any = true;
      if (t.kind == TokKind::ident) {
        if (t.text.size() < 2) continue;
        out_.occs.push_back(Occurrence{t.text, def_site_[i] ? OccKind::def_site : OccKind::ident, t.line});
        last_ident_occ_ = i;
      } else if (t.kind == TokKind::string) {
        if (!t.text.empty() && t.text.size() <= 256) {
          out_.occs.push_back(Occurrence{t.text, OccKind::string, t.line});
        }
      } else {
        out_.occs.push_back(Occurrence{t.text, OccKind::number, t.line});
      }
    }
  }

  Lang lang_;
  const std::vector<Token>& t_;
  std::vector<size_t> match_;
  std::vector<bool> def_site_;
  size_t last_ident_occ_ = SIZE_MAX;
  Analysis out_;
};

}  // namespace

bool is_keyword(Lang lang, std::string_view w) {
  if (std::find(kCommon.begin(), kCommon.end(), w) != kCommon.end()) {
    // "not", "and", "or", "in" are only reserved in some languages, but never
    // make useful definitions anywhere.
    return true;
  }
  if (lang == Lang::c || lang == Lang::java || lang == Lang::rust || lang == Lang::go) {
    return std::find(kTypesAndMore.begin(), kTypesAndMore.end(), w) != kTypesAndMore.end();
  }
  return w == "def" || w == "class" || w == "function" || w == "fn" || w == "func" || w == "print" ||
         w == "super" || w == "unless" || w == "until" || w == "elsif" || w == "rescue" ||
         w == "const" || w == "let" || w == "var" || w == "typeof" || w == "void";
}

Analysis analyze(Lang lang, const std::vector<Token>& tokens) { return Analyzer(lang, tokens).run(); }

}  // namespace reviewer::index
