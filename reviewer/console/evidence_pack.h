// The evidence pack of an audit sample: a tar holding one self-contained
// HTML page per sampled change (its evidence, every row checked against
// the hash chain; no script, styles inline, nothing fetched), index.html,
// and manifest.json: the seed, the population's definition and size, how
// the sample was drawn, the chain head the rows were verified against (as
// `reviewer audit checkpoint` prints it), and the SHA-256 of every other
// file. `reviewer audit verify --checkpoint` with that line verifies the
// whole log the pack was taken from.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/log_reader.h"
#include "reviewer/console/sample.h"

namespace reviewer::console {

struct EvidencePack {
  std::string tar;
  nlohmann::ordered_json manifest;  // as written to manifest.json
};

// Reads each drawn change's evidence through `log` (the snapshot that drew
// the sample) and builds the pack.
EvidencePack evidence_pack(audit::LogReader& log, const Sample& sample, std::chrono::system_clock::time_point now);

}  // namespace reviewer::console
