// `/sample`: draw N changes from a population with a seed (recorded in the
// page's address, on the page and in the pack), and `/sample/pack.tar`:
// the evidence pack of that same sample.
#include <fmt/format.h>

#include "reviewer/console/evidence_html.h"
#include "reviewer/console/evidence_pack.h"
#include "reviewer/console/html.h"
#include "reviewer/console/pages.h"
#include "reviewer/console/sample.h"
#include "reviewer/core/random.h"

namespace reviewer::console {

namespace {

constexpr std::array<std::string_view, 6> kSampleNames = {"since", "until", "repo", "approver", "n", "seed"};

struct SampleRequest {
  FilterForm form;
  std::int64_t n = 25;
  std::string seed;  // "" when not chosen yet
};

SampleRequest read_request(const Params& p) {
  p.only(kSampleNames);
  SampleRequest r{FilterForm::parse(p), integer_param("n", p.get("n"), 1, kMaxSample, 25), p.get("seed")};
  if (!r.seed.empty()) seed_param(r.seed);  // refuse a bad one now
  return r;
}

}  // namespace

HttpAnswer sample_page(PageContext& c) {
  const auto req = read_request(c.params);
  if (req.seed.empty() && c.params.has("n")) {
    // "Draw" without a seed: pick one and put it in the address, so this
    // sample can be drawn again from the page's URL.
    auto pairs = req.form.pairs();
    pairs.emplace_back("n", std::to_string(req.n));
    pairs.emplace_back("seed", std::to_string(std::stoull(random_hex(8), nullptr, 16)));
    HttpAnswer a = html_answer(303, "");
    a.headers.emplace_back("Location", "/sample" + query_string(pairs));
    return a;
  }
  const std::string extra = fmt::format(
      "<label>Sample size <input type=\"number\" name=\"n\" min=\"1\" max=\"{}\" value=\"{}\"></label>"
      "<label>Seed <input type=\"text\" name=\"seed\" inputmode=\"numeric\" value=\"{}\" "
      "placeholder=\"random\"></label>",
      kMaxSample, req.n, escape(req.seed));
  std::string main =
      "<p>The population is every change merged in the period, in the chosen repositories, with the chosen "
      "approver. Leave the seed empty to draw a new sample; give a recorded seed to draw that sample again.</p>";
  main += filter_form(c, req.form, "/sample", true, extra);
  if (req.seed.empty()) return html_answer(200, page({"Audit sample", c.user, false}, main));

  const Sample s = draw_sample(c.log(), req.form, req.n, seed_param(req.seed));
  main += fmt::format(
      "<p class=\"sample\">Seed <strong class=\"seed\">{}</strong>: {} of {} changes drawn. <a href=\"/sample/pack.tar{}\" "
      "download>Download the evidence pack</a> (a tar: one page per change and manifest.json with every file's "
      "SHA-256, the seed and the chain head).</p>",
      s.seed, s.drawn.size(), s.population.size(), escape(query_string(sample_pairs(s))));
  main += "<ol class=\"drawn\">";
  for (const auto& k : s.drawn) {
    main += fmt::format("<li><a href=\"/change{}\">{}</a></li>",
                        escape(query_string({{"repo", k.repository}, {"pr", std::to_string(k.pr_number)}})),
                        escape(change_title(k)));
  }
  main += "</ol>";
  main +=
      "<p class=\"note\">How it is drawn: the population sorted by (repository, pull request number), "
      "std::mt19937_64 seeded with the seed, and a partial Fisher–Yates shuffle with an unbiased bounded draw "
      "(reviewer/console/sample.h); the same seed and population give the same sample on any machine.</p>";
  return html_answer(200, page({"Audit sample", c.user, false}, main));
}

HttpAnswer sample_pack(PageContext& c) {
  const auto req = read_request(c.params);
  if (req.seed.empty()) throw BadRequest("seed is required: draw the sample first, then download its pack");
  const Sample s = draw_sample(c.log(), req.form, req.n, seed_param(req.seed));
  auto pack = evidence_pack(c.log(), s, std::chrono::system_clock::now());
  HttpAnswer a{200, std::move(pack.tar), "application/x-tar", false, {}};
  a.headers.emplace_back("Content-Disposition",
                         fmt::format("attachment; filename=\"evidence-pack-{}.tar\"", s.seed));
  return a;
}

}  // namespace reviewer::console
