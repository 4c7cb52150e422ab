// Download hosts named in a lockfile's or index setting's lines, for
// `when: host-moved`: a package that now comes from another host.
#pragma once

#include <optional>
#include <string>

#include "reviewer/core/diff.h"

namespace reviewer::safety {

// When the file's added lines name a URL host (npm `resolved`, Cargo
// `source`, Gemfile.lock `remote`, poetry `url`, pip `--index-url`, ...)
// that none of its deleted or context lines names, while its deleted lines
// name some host: a replacement moved to another host. The evidence, e.g.
// "npm-mirror.example.net (was registry.npmjs.org)". A file that only adds
// lines (a new lockfile, a new dependency) is not a move.
std::optional<std::string> moved_host(const FileDiff& file);

}  // namespace reviewer::safety
