#include "reviewer/github/credentials.h"

#include "reviewer/core/error.h"

namespace reviewer::github {
namespace {

class TokenCredentials final : public Credentials {
 public:
  explicit TokenCredentials(std::string token) : token_(std::move(token)) {}
  std::string authorization() override { return "Bearer " + token_; }
  bool is_app() const override { return false; }
  std::string git_password() override { return token_; }

 private:
  std::string token_;
};

}  // namespace

std::shared_ptr<Credentials> token_credentials(std::string token) {
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) throw Error(Error::Code::usage, "GITHUB_TOKEN is empty");
  return std::make_shared<TokenCredentials>(std::move(token));
}

}  // namespace reviewer::github
