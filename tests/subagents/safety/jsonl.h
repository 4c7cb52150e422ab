// Rows of a JSON Lines corpus file (tests/data/injection, tests/data/secrets).
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace reviewer::test {

// Every non-empty line of `path`, parsed; throws naming the file when it
// cannot be read.
inline std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read corpus " + path);
  std::vector<nlohmann::json> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

// The text split at '\n' (a trailing empty line included, as a diff has it).
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (std::size_t b = 0; b <= text.size();) {
    std::size_t e = text.find('\n', b);
    if (e == std::string::npos) e = text.size();
    lines.push_back(text.substr(b, e - b));
    b = e + 1;
  }
  return lines;
}

// What every corpus row has: who wrote it, what it stands for, where it
// goes, and its label.
struct LabelledCase {
  std::string id, source, category, path;
  bool positive = false;

  void read_labels(const nlohmann::json& row, bool is_positive) {
    positive = is_positive;
    id = row.value("id", "");
    source = row.value("source", "");
    // Ordinary texts say how they were picked instead of a category.
    category = row.value("category", row.value("selected", ""));
    path = row.value("path", "");
  }
};

}  // namespace reviewer::test
