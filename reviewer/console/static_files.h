// The console's static files, compiled in at build time (embed_static.cmake):
// Chart.js from Debian's libjs-chart.js, and static/console.js and
// static/console.css. Nothing is fetched at run time.
#pragma once

#include <optional>
#include <string_view>

namespace reviewer::console {

struct StaticFile {
  std::string_view content_type;
  std::string_view bytes;
};

// The file served at /static/<name>: "chart.js", "console.js",
// "console.css"; nullopt for any other name.
std::optional<StaticFile> static_file(std::string_view name);

}  // namespace reviewer::console
