#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "reviewer/core/diff.h"

using namespace reviewer;

namespace {

// A file of added lines that own their text (copied from `contents`).
FileDiff owning(const std::vector<std::string>& contents);

// A file whose lines view `contents`: what a builder hands to own_text.
FileDiff file_viewing(const std::vector<std::string>& contents) {
  FileDiff f;
  f.new_path = "a.txt";
  Hunk h;
  int n = 1;
  for (const auto& c : contents) h.lines.push_back({.origin = LineOrigin::added, .new_line = n++, .content = c});
  f.hunks.push_back(std::move(h));
  return f;
}

FileDiff owning(const std::vector<std::string>& contents) {
  FileDiff f = file_viewing(contents);
  own_text(f);
  return f;
}

}  // namespace

TEST_SUITE("core::own_text") {
  TEST_CASE("the lines view one buffer of the file's own, in order, each followed by a line break") {
    FileDiff f;
    {
      const std::vector<std::string> contents = {"first", "", std::string(5000, 'x'), "last"};
      f = file_viewing(contents);
      own_text(f);
    }  // the strings the lines viewed are gone
    REQUIRE(f.text);
    CHECK(*f.text == "first\n\n" + std::string(5000, 'x') + "\nlast\n");
    const auto& lines = f.hunks[0].lines;
    REQUIRE(lines.size() == 4);
    CHECK(lines[0].content == "first");
    CHECK(lines[1].content.empty());
    CHECK(lines[2].content == std::string(5000, 'x'));
    CHECK(lines[3].content == "last");
    CHECK(lines[3].new_line == 4);
    for (const auto& l : lines) {
      CHECK(l.content.data() >= f.text->data());
      CHECK(l.content.data() + l.content.size() <= f.text->data() + f.text->size());
    }
  }

  TEST_CASE("a copy of the file views the same bytes and outlives the original") {
    std::vector<std::string> contents = {"alpha", "beta"};
    FileDiff copy;
    {
      FileDiff f = file_viewing(contents);
      own_text(f);
      copy = f;
      CHECK(copy.text == f.text);
    }
    contents.clear();
    CHECK(copy.hunks[0].lines[0].content == "alpha");
    CHECK(copy.hunks[0].lines[1].content == "beta");
  }

  TEST_CASE("lines pointed elsewhere get a new buffer; copies keep the old one") {
    FileDiff f = owning({"secret", "plain"});
    const FileDiff before = f;
    f.hunks[0].lines[0].content = "[masked]";
    own_text(f);
    CHECK(*f.text == "[masked]\nplain\n");
    CHECK(f.hunks[0].lines[1].content == "plain");
    CHECK(before.hunks[0].lines[0].content == "secret");
    CHECK(*before.text == "secret\nplain\n");
  }

  TEST_CASE("bytes a line may hold survive: NUL, CR, invalid UTF-8") {
    const std::string odd("a\0b\r\xff\xfe", 6);
    const FileDiff f = owning({odd});
    CHECK(f.hunks[0].lines[0].content == odd);
    CHECK(f.hunks[0].lines[0].content.size() == 6);
  }

  TEST_CASE("a file without lines has no text") {
    FileDiff f;
    f.new_path = "image.png";
    f.binary = true;
    own_text(f);
    CHECK_FALSE(f.text);
    Diff d;
    d.files = {f, owning({"x"})};
    own_text(d);
    CHECK_FALSE(d.files[0].text);
    REQUIRE(d.files[1].text);
    CHECK(*d.files[1].text == "x\n");
  }
}
