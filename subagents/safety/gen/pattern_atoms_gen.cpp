// Build-time tool: writes the table of pattern_atoms.h (shipped_atoms) for
// every pattern string of the embedded guidance's safety section, under
// line and PR-text options, and fails (exit 1, naming the rule) when RE2
// rejects one or one without atoms matches empty text, as compile_rules
// would at run time. Usage: pattern_atoms_gen OUT.cpp
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "guidance/guidance.h"
#include "subagents/safety/pattern_atoms.h"

namespace {

using nlohmann::json;

// A C string literal for any bytes: octal escapes (at most three digits, so
// a following digit is never read into one).
std::string literal(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == ' ' || u == '_' ||
        u == '-' || u == '.' || u == ',' || u == ':' || u == ';' || u == '/') {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", u);
      out += buf;
    }
  }
  return out + "\"";
}

void add_strings(const json& v, const std::string& where, std::map<std::string, std::string>* out) {
  if (v.is_string()) {
    out->emplace(v.get<std::string>(), where);
  } else if (v.is_array()) {
    for (const auto& s : v) add_strings(s, where, out);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: pattern_atoms_gen OUT.cpp\n";
    return 2;
  }
  try {
    const auto guidance = reviewer::load_guidance();
    const json& safety = guidance.section("safety");
    // pattern -> the rule that names it first (for the error message)
    std::map<std::string, std::string> patterns;
    if (safety.contains("rules") && safety["rules"].is_object()) {
      for (const auto& [id, r] : safety["rules"].items()) {
        if (!r.is_object()) continue;
        for (const char* key : {"pattern", "patterns", "unless", "requires", "unless_file"}) {
          if (r.contains(key)) add_strings(r[key], "rule '" + id + "' " + key, &patterns);
        }
        // A rule's `before` (where compile_rules has it) is put in front of
        // each of its patterns: those are the strings it looks up.
        if (r.contains("before") && r["before"].is_string()) {
          const std::string before = r["before"].get<std::string>();
          for (const char* key : {"pattern", "patterns"}) {
            if (!r.contains(key)) continue;
            std::map<std::string, std::string> plain;
            add_strings(r[key], "rule '" + id + "' " + key, &plain);
            for (const auto& [p, where] : plain) patterns.emplace(reviewer::safety::with_before(before, p), where);
          }
        }
      }
    }
    if (safety.contains("placeholders")) add_strings(safety["placeholders"], "placeholders", &patterns);

    std::vector<std::string> atoms;  // every pattern's lists, one after another
    std::vector<unsigned> clauses;     // every pattern's clauses: a count, then that many indices
    std::string rows;
    for (const auto& [p, where] : patterns) {
      std::string ranges[6];
      for (const bool lines : {true, false}) {
        auto a = reviewer::safety::analyse_pattern(p, lines);
        if (!a.error.empty()) {
          std::cerr << "guidance safety: " << where << ": invalid pattern '" << p << "': " << a.error << "\n";
          return 1;
        }
        if (a.matches_empty) {
          std::cerr << "guidance safety: " << where << ": '" << p << "' matches empty text: it would flag every line\n";
          return 1;
        }
        const std::size_t k = lines ? 0 : 1;
        ranges[0] += (k ? ", " : "") + std::to_string(atoms.size());
        ranges[1] += (k ? ", " : "") + std::to_string(a.atoms.size());
        atoms.insert(atoms.end(), a.atoms.begin(), a.atoms.end());
        const std::size_t first = clauses.size();
        for (const auto& t : a.clauses) {
          clauses.push_back(static_cast<unsigned>(t.size()));
          for (int i : t) clauses.push_back(static_cast<unsigned>(i));
        }
        ranges[2] += (k ? ", " : "") + std::to_string(first);
        ranges[3] += (k ? ", " : "") + std::to_string(clauses.size() - first);
        // The branches: per branch its clause count, then its clauses.
        const std::size_t branches_first = clauses.size();
        for (const auto& b : a.branches) {
          clauses.push_back(static_cast<unsigned>(b.size()));
          for (const auto& t : b) {
            clauses.push_back(static_cast<unsigned>(t.size()));
            for (int i : t) clauses.push_back(static_cast<unsigned>(i));
          }
        }
        ranges[4] += (k ? ", " : "") + std::to_string(branches_first);
        ranges[5] += (k ? ", " : "") + std::to_string(clauses.size() - branches_first);
      }
      rows += "    {" + literal(p) + "sv, {" + ranges[0] + "}, {" + ranges[1] + "}, {" + ranges[2] + "}, {" + ranges[3] +
              "}, {" + ranges[4] + "}, {" + ranges[5] + "}},\n";
    }
    if (std::any_of(clauses.begin(), clauses.end(), [](unsigned t) { return t > 0xffff; })) {
      std::cerr << "pattern_atoms_gen: a pattern has too many atoms for the table's 16-bit indices\n";
      return 1;
    }
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    out << "// Generated by subagents/safety/gen/pattern_atoms_gen.cpp from the embedded guidance. Do not edit.\n"
        << "#include \"subagents/safety/pattern_atoms.h\"\n\n"
        << "namespace reviewer::safety::shipped {\n\nusing namespace std::string_view_literals;\n\n"
        << "const ShippedPattern kPatterns[] = {\n" << rows << "};\n"
        << "const std::size_t kPatternCount = " << patterns.size() << ";\n\n"
        << "const std::string_view kAtoms[] = {\n";
    for (const auto& a : atoms) out << "    " << literal(a) << "sv,\n";
    if (atoms.empty()) out << "    \"\"sv,\n";
    out << "};\n\nconst unsigned short kClauses[] = {";
    for (std::size_t i = 0; i < clauses.size(); ++i) out << (i % 24 ? " " : "\n    ") << clauses[i] << ",";
    if (clauses.empty()) out << "0";
    out << "\n};\n\n}  // namespace reviewer::safety::shipped\n";
    out.close();
    if (!out) {
      std::cerr << "pattern_atoms_gen: cannot write " << argv[1] << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "pattern_atoms_gen: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
