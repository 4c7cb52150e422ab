// Repository guidance on the PR's head (untrusted): the YAML reader with
// its limits (no anchors or aliases, size, depth) and the validation and
// layering over the operator's guidance, and the same reader for other
// configuration files a PR carries. Only reviewer::Error may escape.
#include <cstddef>
#include <cstdint>
#include <string>

#include "guidance/guidance.h"
#include "reviewer/core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace reviewer;
  static const Guidance operator_guidance = load_guidance_texts({});
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)layer_repository(operator_guidance, ".reviewer.yml", text);
  } catch (const Error&) {
  }
  try {
    (void)read_untrusted_yaml("config.yml", text);
  } catch (const Error&) {
  }
  return 0;
}
