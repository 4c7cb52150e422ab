#include "reviewer/cli/demo_repo.h"

#include <fmt/format.h>

#include "reviewer/git/builder.h"

namespace reviewer {

namespace {

using Files = std::map<std::string, git::FileChange>;

const char* kPortsPy = R"("""Parsing of network ports from configuration strings."""


def parse_port(text):
    """Return the TCP port in `text`, or raise ValueError."""
    value = int(text.strip())
    if value < 1 or value > 65536:
        raise ValueError(f"port out of range: {value}")
    return value
)";

const char* kTestPortsPy = R"(import pytest

from netutil.ports import parse_port


def test_parses_a_port():
    assert parse_port(" 8080 ") == 8080


def test_rejects_zero():
    with pytest.raises(ValueError):
        parse_port("0")
)";

Files base_files() {
  return {
      {"README.md", {"# netutil\n\nSmall helpers for network configuration.\n"}},
      {"src/netutil/__init__.py", {"from .ports import parse_port\n"}},
      {"src/netutil/ports.py", {kPortsPy}},
      {"tests/test_ports.py", {kTestPortsPy}},
      {"docs/usage.md", {"# Usage\n\n`parse_port(\"8080\")` returns 8080.\n"}},
  };
}

// A clean, small bug fix with a test and a clear description.
Files clean_fix() {
  std::string ports = kPortsPy;
  ports.replace(ports.find("value > 65536"), 13, "value > 65535");
  std::string tests = std::string(kTestPortsPy) +
                      "\n\ndef test_rejects_port_above_65535():\n"
                      "    with pytest.raises(ValueError):\n"
                      "        parse_port(\"65536\")\n";
  return {{"src/netutil/ports.py", {ports}}, {"tests/test_ports.py", {tests}}};
}

// Adds a credential-looking string and an eval of request input. The key is
// assembled here so this source file holds no credential-shaped literal.
Files risky_change() {
  std::string key = std::string("AKIA") + "Q3EGUKZ7" + "XN4PLJWD";
  std::string code = fmt::format(
      "\"\"\"Debug helpers for the admin console.\"\"\"\n"
      "\n"
      "AWS_ACCESS_KEY_ID = \"{}\"\n"
      "\n"
      "\n"
      "def evaluate(request):\n"
      "    expression = request.args[\"expr\"]\n"
      "    return eval(expression)\n",
      key);
  return {{"src/netutil/debug.py", {code}}};
}

// About 1,500 added lines over six top-level areas.
Files huge_change() {
  Files files;
  const char* areas[] = {"src", "collectors", "exporters", "dashboards", "config", "migrations"};
  int n = 0;
  for (const char* area : areas) {
    for (int f = 0; f < 5; ++f) {
      std::string body = fmt::format("\"\"\"Telemetry {} module {}.\"\"\"\n\n", area, f);
      for (int i = 0; i < 16; ++i, ++n) {
        body += fmt::format("def metric_{}(sample):\n    return sample * {}\n\n", n, n % 7 + 1);
      }
      files[fmt::format("{}/telemetry/{}_{}.py", area, area, f)] = {body};
    }
  }
  return files;
}

}  // namespace

std::vector<DemoPullRequest> build_demo_repository(const std::filesystem::path& dir) {
  auto repo = git::RepoBuilder::create(dir);
  long long t = 1767225600;  // 2026-01-01, so the demo is reproducible
  std::string base = repo.commit("main", "", base_files(), "Initial import of netutil\n", t);
  repo.commit("fix/port-range", base, clean_fix(),
              "fix: reject port 65536 in parse_port\n\n"
              "parse_port accepted 65536, which is not a valid TCP port: the largest is 65535,\n"
              "because ports are 16-bit numbers. This corrects the bound and adds a test for it.\n\n"
              "Fixes #12\n",
              t + 60);
  repo.commit("feature/debug-console", base, risky_change(),
              "Add debug console helpers\n\nAdds an evaluate() helper for the admin console.\n",
              t + 120);
  repo.commit("feature/telemetry", base, huge_change(),
              "feat: add telemetry collectors, exporters and dashboards\n\n"
              "We need per-request metrics to find slow endpoints, so this adds collectors,\n"
              "exporters, dashboards, configuration and migrations in one go.\n\nRefs #40\n",
              t + 180);
  return {
      {"fix/port-range", "a small, clean bug fix with a test"},
      {"feature/debug-console", "adds a credential-looking string and an eval( call"},
      {"feature/telemetry", "a 1,500-line change spread over six folders"},
  };
}

}  // namespace reviewer
