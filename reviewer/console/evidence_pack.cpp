#include "reviewer/console/evidence_pack.h"

#include <fmt/format.h>

#include "audit/change_evidence.h"
#include "audit/verify.h"
#include "reviewer/console/evidence_html.h"
#include "reviewer/console/html.h"
#include "reviewer/console/static_files.h"
#include "reviewer/console/tar.h"
#include "reviewer/core/sha256.h"
#include "reviewer/core/utc_time.h"

namespace reviewer::console {

namespace {

// A file name from a repository name: letters, digits, '-', '_' and a
// '.' that does not follow another kept, anything else '_' (so no ".."
// reaches the archive's paths), at most 60 bytes. Two repositories may
// map to one name: the drawn number before it keeps the paths apart.
std::string file_part(const std::string& repository) {
  std::string out;
  for (const char c : repository) {
    const auto u = static_cast<unsigned char>(c);
    const bool dot = c == '.' && (out.empty() || out.back() != '.');
    out += std::isalnum(u) || c == '-' || c == '_' || dot ? c : '_';
    if (out.size() == 60) break;
  }
  return out;
}

// Offline, a page needs its styles inline; its policy allows nothing else.
std::string standalone(const std::string& title, const std::string& body) {
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
      "<title>{}</title><style>{}</style></head>\n<body><main>\n<h1>{}</h1>\n{}\n</main></body></html>\n",
      escape(title), static_file("console.css")->bytes, escape(title), body);
}

std::string population_text(const FilterForm& f) {
  std::string repos;
  for (const auto& r : f.repositories) repos += (repos.empty() ? "" : ", ") + r;
  return fmt::format("changes merged from {} to {} in {}, approved by {}", f.since.empty() ? "the start" : f.since,
                     f.until.empty() ? "now" : f.until, repos.empty() ? "every repository" : repos,
                     f.approver == "bot"      ? "the bot (alone or with a person)"
                     : f.approver == "person" ? "a person (alone or with the bot)"
                     : f.approver == "none"   ? "nobody"
                                              : "anyone or nobody");
}

}  // namespace

EvidencePack evidence_pack(audit::LogReader& log, const Sample& sample, std::chrono::system_clock::time_point now) {
  const auto head = audit::read_head(log, log.chained_tables());
  const std::string at = utc_iso8601(now);
  const std::string checkpoint = audit::Checkpoint{head.seq, head.hash, at}.to_line();
  const auto mtime = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::string drawn_as = fmt::format("seed {} · {} · checkpoint {}", sample.seed,
                                           population_text(sample.form), checkpoint);

  EvidencePack pack;
  TarWriter tar;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  std::string index;
  auto add = [&](const std::string& path, const std::string& bytes, nlohmann::ordered_json extra) {
    tar.add(path, bytes, mtime);
    nlohmann::ordered_json f = {{"path", path}, {"sha256", sha256_hex(bytes)}, {"bytes", bytes.size()}};
    if (extra.is_object()) f.update(extra);
    files.push_back(std::move(f));
  };
  std::size_t number = 0;
  for (const auto& key : sample.drawn) {
    const auto evidence = audit::change_evidence(log, key);
    const std::string path =
        fmt::format("changes/{:03}-{}-{}.html", ++number, file_part(key.repository), key.pr_number);
    const std::string title = change_title(key);
    add(path,
        standalone(title, fmt::format("<p class=\"note\">{}</p>{}", escape(drawn_as), evidence_html(key, evidence, false))),
        {{"repository", key.repository},
         {"pr_number", key.pr_number},
         {"rows", evidence.rows.size()},
         {"rows_failing_verification", failed_rows(evidence)},
         {"newest_row_of_log", evidence.newest_seq ? nlohmann::ordered_json(evidence.newest_seq) : nullptr}});
    index += fmt::format("<li><a href=\"{}\">{}</a>{}</li>", escape(path), escape(title),
                         failed_rows(evidence) ? " — <strong>fails verification</strong>" : "");
  }
  add("index.html",
      standalone("Audit sample", fmt::format("<p class=\"note\">{}</p><ol>{}</ol>", escape(drawn_as), index)), {});

  nlohmann::ordered_json population = {{"definition", population_text(sample.form)},
                                       {"since", sample.form.since},
                                       {"until", sample.form.until},
                                       {"repositories", sample.form.repositories},
                                       {"approver", sample.form.approver},
                                       {"size", sample.population.size()}};
  nlohmann::ordered_json drawn = nlohmann::ordered_json::array();
  for (const auto& k : sample.drawn) drawn.push_back({{"repository", k.repository}, {"pr_number", k.pr_number}});
  pack.manifest = {
      {"format", "reviewer-evidence-pack-1"},
      {"generated_at", at},
      {"seed", std::to_string(sample.seed)},
      {"n", sample.n},
      {"population", population},
      {"draw",
       "population sorted by (repository bytes, pr_number); std::mt19937_64 seeded with the seed; partial "
       "Fisher-Yates: for i in 0..n-1 swap positions i and i + bounded(size - i); bounded(m) rejects 64-bit outputs "
       "at or above the largest multiple of m and returns the first other one mod m (reviewer/console/sample.h)"},
      {"sample", drawn},
      {"chain_head", {{"rows", head.seq}, {"head_hash", head.hash}, {"checkpoint", checkpoint}}},
      {"verification",
       "each row of each change re-hashed, its prev_hash checked against the row before it and the prev_hash of "
       "the row after it against its row_hash (the log's newest row, newest_row_of_log, has none), in the snapshot "
       "whose head is chain_head; `reviewer audit verify --checkpoint FILE` with the checkpoint line checks the "
       "whole log"},
      {"files", files}};
  tar.add("manifest.json", pack.manifest.dump(2) + "\n", mtime);
  pack.tar = tar.finish();
  return pack;
}

}  // namespace reviewer::console
