// Error types shared by every layer. Lower layers throw reviewer::Error with
// a message written for the user; the CLI catches it once, prints
// "reviewer: error: <message>" and exits 1.
#pragma once

#include <stdexcept>
#include <string>

namespace reviewer {

class Error : public std::runtime_error {
 public:
  // What the caller should do next.
  enum class Code {
    usage,          // bad flag or argument: fix the command line
    invalid_input,  // bad repository, revision, guidance or payload
    io,             // file system or database failure
    timeout,        // a deadline passed
    internal,       // a bug in reviewer
  };

  Error(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

}  // namespace reviewer
