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

  // Whether the same work may succeed if tried again later, decided once
  // where the error arises. transient: a remote service's 5xx, a rate
  // limit, no answer, a lock held by another writer, a timeout. permanent:
  // it fails the same way until someone acts (a full disk, a corrupt or
  // read-only database, bad input, a bug).
  enum class Retry { permanent, transient };

  // A timeout is transient, every other code permanent unless said otherwise.
  Error(Code code, const std::string& message)
      : Error(code, message, code == Code::timeout ? Retry::transient : Retry::permanent) {}
  Error(Code code, const std::string& message, Retry retry)
      : std::runtime_error(message), code_(code), retry_(retry) {}
  Code code() const { return code_; }
  bool transient() const { return retry_ == Retry::transient; }

 private:
  Code code_;
  Retry retry_;
};

}  // namespace reviewer
