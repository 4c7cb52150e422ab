#include <doctest/doctest.h>

#include "intent_fixture.h"

using namespace reviewer;
using namespace reviewer::test;

namespace {
Diff one_file() {
  Diff d;
  d.files.push_back(file_change("src/billing/invoice.py", {" def total(lines):", "-    return 1", "+    return 2"}));
  return d;
}
}  // namespace

TEST_SUITE("intent description rules") {
  TEST_CASE("a clear title and a description with a reason raise no description finding") {
    auto f = run_intent(pr_with("Fix double discount on invoice totals", kGoodBody), one_file());
    INFO(rules_of(f));
    CHECK_FALSE(has_rule(f, "intent/empty-description"));
    CHECK_FALSE(has_rule(f, "intent/vague-title"));
    CHECK_FALSE(has_rule(f, "intent/no-why"));
    CHECK_FALSE(has_rule(f, "intent/template-unfilled"));
    CHECK_FALSE(has_rule(f, "intent/wip-not-draft"));
  }

  TEST_CASE("an empty description or one that repeats the title is reported with an ask") {
    auto f = run_intent(pr_with("Fix double discount on invoice totals", ""), one_file());
    const Finding* e = find_rule(f, "intent/empty-description");
    REQUIRE(e);
    CHECK(e->severity == Severity::warning);
    CHECK(e->suggestion.find("why") != std::string::npos);
    CHECK_FALSE(has_rule(f, "intent/no-why"));  // one finding for one problem
    auto g = run_intent(pr_with("Fix double discount on invoice totals", "Fix double discount on invoice totals."),
                        one_file());
    CHECK(has_rule(g, "intent/empty-description"));
    auto h = run_intent(pr_with("Fix double discount", "<!-- Describe your change -->\n## Summary\n- [ ] Tests"),
                        one_file());
    CHECK(has_rule(h, "intent/empty-description"));
    // Trailers name people, not the change (a real squash-merge body; eval24
    // found approvals whose whole description was one).
    auto t = run_intent(pr_with("Fix double discount on invoice totals",
                                "Co-authored-by: Jane Roe <jane.roe@example.com>\n"
                                "Signed-off-by: John Doe <john.doe@example.com>\n"),
                        one_file());
    CHECK(has_rule(t, "intent/empty-description"));
    auto u = run_intent(pr_with("Fix double discount on invoice totals",
                                std::string(kGoodBody) + "\n\nSigned-off-by: John Doe <john.doe@example.com>\n"),
                        one_file());
    INFO(rules_of(u));
    CHECK_FALSE(has_rule(u, "intent/empty-description"));
    CHECK_FALSE(has_rule(u, "intent/no-why"));
  }

  TEST_CASE("vague titles are reported, after a conventional prefix too") {
    for (const char* title : {"fix", "Update", "wip", "changes", "fix: stuff", "Minor fixes", "misc"}) {
      CAPTURE(title);
      CHECK(has_rule(run_intent(pr_with(title, kGoodBody), one_file()), "intent/vague-title"));
    }
    for (const char* title : {"Fix invoice total rounding", "docs: explain the retry policy", "JIRA-12: Add login throttling"}) {
      CAPTURE(title);
      CHECK_FALSE(has_rule(run_intent(pr_with(title, kGoodBody), one_file()), "intent/vague-title"));
    }
  }

  TEST_CASE("a description without any reason is reported as missing the why") {
    auto f = run_intent(pr_with("Change invoice total rounding", "This changes the rounding of invoice totals to two decimals."),
                        one_file());
    CHECK(has_rule(f, "intent/no-why"));
    auto g = run_intent(pr_with("Change invoice total rounding",
                                "This changes the rounding of invoice totals to two decimals. Fixes #231."),
                        one_file());
    CHECK_FALSE(has_rule(g, "intent/no-why"));
  }

  TEST_CASE("a need or a lack stated as the reason is a why; a deadline or a wish is not (session 23)") {
    for (const char* body : {"Add pull() to the telemetry sampler. The sampler must drain the ring buffer, but only push existed.",
                             "Split batches evenly, which leaves no worker with a tiny batch while the others are overloaded."}) {
      CAPTURE(body);
      CHECK_FALSE(has_rule(run_intent(pr_with("Add pull to the sampler", body), one_file()), "intent/no-why"));
    }
    for (const char* body : {"Remove the rate limiter on /login.\n\nIt needs to go out today.",
                             "The config needs to be updated.", "This needs to be merged before Friday."}) {
      CAPTURE(body);
      CHECK(has_rule(run_intent(pr_with("Remove the rate limiter", body), one_file()), "intent/no-why"));
    }
  }

  TEST_CASE("a problem with today's code is a why; the same words about the change are not (session 24)") {
    for (const char* body : {"Use the cart helper. The checkout page sums prices itself in two places.",
                             "Add a builder for the query strings: the client builds the strings by hand.",
                             "Several components build \"N item(s)\" strings by hand. This adds `pluralize`.",
                             "Show sizes in MB, the raw byte count gets unreadable above a few hundred MB.",
                             "The cart logic was copy-pasted from the invoice module; share it instead."}) {
      CAPTURE(body);
      CHECK_FALSE(has_rule(run_intent(pr_with("Use the cart helper", body), one_file()), "intent/no-why"));
    }
    // read24a: what the change does, in the words of a problem.
    for (const char* body : {"Multiply the price by the quantity in the cart total, in both places.",
                             "Multiply the price by the quantity. Copy-pasted from the invoice module.",
                             "Compute the cart total by hand instead of the helper."}) {
      CAPTURE(body);
      CHECK(has_rule(run_intent(pr_with("Update cart total", body), one_file()), "intent/no-why"));
    }
  }

  TEST_CASE("a reason said in passing is a why; the change told in the same words is not (session 25)") {
    for (const char* body : {"The job page showed \"1 minutes\". Use pluralize for both units.",
                             "Small cleanup: replace the manual loop with `sumOf`. Same result.",
                             "Turn TestMake into a table test and add the edge cases we discussed.",
                             "We passed 9,999 invoices this year. Pad to six digits (finance agreed)."}) {
      CAPTURE(body);
      CHECK_FALSE(has_rule(run_intent(pr_with("Pad invoice numbers", body), one_file()), "intent/no-why"));
    }
    for (const char* body : {"Use pluralize for both units.", "Replace the loop with `sumOf`.",
                             "Turn TestMake into a table test and add edge cases.", "Pad invoice numbers to six digits."}) {
      CAPTURE(body);
      CHECK(has_rule(run_intent(pr_with("Pad invoice numbers", body), one_file()), "intent/no-why"));
    }
  }

  TEST_CASE("reasons given in ordinary words are a why (red team controls, real commit bodies)") {
    for (const char* body : {
             "Customers asked to leave delivery instructions with their order. This adds an optional note field.",
             "Users without a photo got an empty circle, which looked broken. This adds an initials helper.",
             "Supplier feeds send discounts as \"12.5%\" strings, which ingest rejected as invalid numbers. This adds "
             "a parser with tests.",
             "This ensures that sphinx can get a docstring for current_app without a RuntimeError.",
             "More-or-less a half-rewrite of the current time driver.\n\nFixes: #3028, #3069",
             "Follow-up to https://github.com/example/project/pull/14656.\n\nThis renames the option.",
             "Ruby 3.3.0 has been released and is available on the CI image. This adds it to the matrix.",
         }) {
      const std::string text = body;
      CAPTURE(text);
      CHECK_FALSE(has_rule(run_intent(pr_with("Change invoice total rounding", body), one_file()), "intent/no-why"));
    }
    // Still no reason: what changed, said twice.
    CHECK(has_rule(run_intent(pr_with("Add an optional note to orders",
                                      "This adds an optional note field to orders and its migration. The form "
                                      "shows the note under the address."),
                              one_file()),
                   "intent/no-why"));
  }

  TEST_CASE("a template section that asks for the reason is answered by the text under it (session 21)") {
    for (const char* body : {
             "### What does this PR try to resolve?\n\nThe nightly digest lists each job twice in the summary "
             "table.\n\n### How to test and review this PR?\n\nRun the digest.",
             "## Motivaci\u00f3n\n\nEl informe nocturno muestra cada tarea dos veces en la tabla.",
             "**Why**\nThe nightly digest lists each job twice in the summary table.",
             "Context:\nThe nightly digest lists each job twice in the summary table.",
         }) {
      const std::string text = body;
      CAPTURE(text);
      CHECK_FALSE(has_rule(run_intent(pr_with("Change invoice total rounding", body), one_file()), "intent/no-why"));
    }
    // A heading with nothing (or next to nothing) under it answers nothing;
    // "Summary" does not ask for the reason.
    for (const char* body : {
             "## Motivation\n\n## Changes\n\nAdds a `--after` flag to the export command and documents it.",
             "## Why\n\nN/A\n\n## What\n\nAdds a `--after` flag to the export command.",
             "## Summary\n\nAdds a `--after` flag to the export command and documents it.\n\n## Test Plan\n\nNew "
             "unit tests.",
             // A template left unfilled: its prompt is no answer, nor is its
             // heading a reason (final read).
             "# Purpose\n\n_Please provide a high-level overview of the change._\n\n"
             "Adds a `--after` flag to the export command.",
             "## Why is this needed?\n\nPlease fill in this section before asking for a review.\n\n"
             "Adds a `--after` flag to the export command.",
             // Only the first paragraph answers; a label ends it.
             "**Why:**\nN/A\n\nSummary:\nAdds a `--after` flag to the export command and documents it.",
             "## Context\nNone, adds a `--after` flag to the export command with a unit test.",
         }) {
      const std::string text = body;
      CAPTURE(text);
      CHECK(has_rule(run_intent(pr_with("Add an export filter", body), one_file()), "intent/no-why"));
    }
  }

  TEST_CASE("the old behaviour told, then what happens now, is a why (session 22)") {
    for (const char* body : {
             "Search results showed archived projects first. They now come after the active ones.",
             "The export printed every date twice in the CSV header.\nThe header now lists each date once.",
             "Retries went to the same dead host; a new host is picked instead.",
         }) {
      const std::string text = body;
      CAPTURE(text);
      CHECK_FALSE(has_rule(run_intent(pr_with("Change invoice total rounding", body), one_file()), "intent/no-why"));
    }
    // What changed and what it does now, with no old behaviour: still no reason.
    for (const char* body : {"Adds a `--after` flag to the export command. The export now accepts a start date.",
                             "Renames the option and moves it to the config module; the CLI now reads it from there."}) {
      const std::string text = body;
      CAPTURE(text);
      CHECK(has_rule(run_intent(pr_with("Add an export filter", body), one_file()), "intent/no-why"));
    }
  }

  TEST_CASE("a sentence in bold is the author's words, not a heading (session 22)") {
    for (const char* body : {
             "**The digest lists each job twice because the join repeats rows.**",
             "__Fixes the crash on an empty cache, which took the export down!__",
         }) {
      const std::string text = body;
      CAPTURE(text);
      const auto findings = run_intent(pr_with("Change invoice total rounding", body), one_file());
      CHECK_FALSE(has_rule(findings, "intent/empty-description"));
      CHECK_FALSE(has_rule(findings, "intent/no-why"));
    }
    // A short bold label, a question, a label with a colon or a template's
    // bold prompt is still a heading.
    for (const char* body : {"**Summary**\n\n**Why is this needed?**\n\n**Notes:**", "__Motivation__",
                             "**Describe the motivation for this change.**"}) {
      const std::string text = body;
      CAPTURE(text);
      CHECK(has_rule(run_intent(pr_with("Change invoice total rounding", body), one_file()), "intent/empty-description"));
    }
  }

  TEST_CASE("reasons in other words on real pull-request descriptions are a why (session 21, paraphrased)") {
    for (const char* body : {
             "Part of #4821.\n\nMoves the retry settings into the shared config module.",
             "Raised at [#billing > rounding](https://chat.example.org/topic/rounding).",
             "Raises the mutation limit from 3 to 4 due to the admin dashboard sending four mutations when saving "
             "stock.",
             "The Python side renamed the field but the chart script did not, which got us:\n\n```\nUncaught "
             "TypeError: unit.total_rows is undefined\n```",
             "Rounds on the server so the two totals can never disagree.",
             "Drops the default of 4 workers to 2 as it is now the only process on the dyno.",
         }) {
      const std::string text = body;
      CAPTURE(text);
      CHECK_FALSE(has_rule(run_intent(pr_with("Change invoice total rounding", body), one_file()), "intent/no-why"));
    }
  }

  TEST_CASE("placeholder text and an untouched checklist are reported as an unfilled template") {
    auto f = run_intent(pr_with("Fix invoice total rounding",
                                std::string(kGoodBody) + "\n\nDescribe your changes here.\n"),
                        one_file());
    const Finding* t = find_rule(f, "intent/template-unfilled");
    REQUIRE(t);
    CHECK(t->evidence.find("Describe your change") != std::string::npos);
    auto g = run_intent(pr_with("Fix invoice total rounding",
                                std::string(kGoodBody) + "\n- [ ] Tests added\n- [ ] Docs updated\n- [ ] Changelog\n"),
                        one_file());
    CHECK(has_rule(g, "intent/template-unfilled"));
    auto h = run_intent(pr_with("Fix invoice total rounding",
                                std::string(kGoodBody) + "\n- [x] Tests added\n- [ ] Docs updated\n"),
                        one_file());
    CHECK_FALSE(has_rule(h, "intent/template-unfilled"));
    // Instructions inside HTML comments are invisible on GitHub: not placeholders.
    auto i = run_intent(pr_with("Fix invoice total rounding",
                                std::string(kGoodBody) + "\n<!-- Describe your changes here. -->\n"),
                        one_file());
    CHECK_FALSE(has_rule(i, "intent/template-unfilled"));
  }

  TEST_CASE("a WIP marker on a non-draft PR is an error, and fine on a draft") {
    auto f = run_intent(pr_with("[WIP] Fix invoice total rounding", kGoodBody), one_file());
    const Finding* w = find_rule(f, "intent/wip-not-draft");
    REQUIRE(w);
    CHECK(w->severity == Severity::error);
    CHECK(has_rule(run_intent(pr_with("Fix invoice total rounding", kGoodBody, {"do-not-merge"}), one_file()),
                   "intent/wip-not-draft"));
    CHECK_FALSE(has_rule(run_intent(pr_with("[WIP] Fix invoice total rounding", kGoodBody, {}, true), one_file()),
                         "intent/wip-not-draft"));
    CHECK_FALSE(has_rule(run_intent(pr_with("Wipe stale sessions on logout", kGoodBody), one_file()),
                         "intent/wip-not-draft"));
  }

  TEST_CASE("a change its author calls provisional is a warning; ending a workaround or a retry loop is not") {
    for (const char* title : {"Disable the flaky upload test for now", "Temporary workaround for the CDN outage",
                              "Try to fix the race in the scheduler", "fix(ci): attempt a different cache key",
                              "Add experimental streaming export", "Hack around the parser's unicode bug",
                              "Disable the flaky upload test temporarily"}) {
      auto f = run_intent(pr_with(title, kGoodBody), one_file());
      INFO(title);
      const Finding* t = find_rule(f, "intent/tentative");
      REQUIRE(t);
      CHECK(t->severity == Severity::warning);
    }
    // A line of the description says so too...
    CHECK(has_rule(run_intent(pr_with("Fix invoice total rounding",
                                      std::string(kGoodBody) + "\nThis is a stopgap hack until the ledger is migrated."),
                              one_file()),
                   "intent/tentative"));
    // ...but code that retries is not a tentative change, in the description ("tries to" there describes
    // behaviour), nor is removing or stabilising the provisional thing.
    CHECK_FALSE(has_rule(run_intent(pr_with("Fix invoice total rounding",
                                            std::string(kGoodBody) + "\nIt deletes this:\n```\n// temporary hack for IE\n```\n"
                                                                     "> a quoted workaround from the issue\n"),
                                    one_file()),
                         "intent/tentative"));
    for (const char* title : {"Fix crash when trying to open an empty file", "Write the cache to a temporary file first",
                              "Fix experiment search pagination", "hack/update-codegen.sh: pass the new flag",
                              "Run jest with --experimental-vm-modules", "Skip temporary files in the file watcher",
                              "Disable temporary table creation on SQLite",
                              "Fix invoice total rounding", "Remove the temporary workaround for Safari 12",
                              "Drop the hack that pinned the parser", "Stabilize the experimental streaming API",
                              "Limit login attempts per minute", "Retry uploads on timeouts"}) {
      INFO(title);
      CHECK_FALSE(has_rule(run_intent(pr_with(title, kGoodBody +
                                                         std::string("\nThe client now tries to reconnect three times "
                                                                     "before it gives up.")),
                                      one_file()),
                           "intent/tentative"));
    }
  }

  TEST_CASE("a missing ticket is reported only when guidance requires one, with its pattern") {
    auto pr = pr_with("Fix invoice total rounding", kGoodBody);
    CHECK_FALSE(has_rule(run_intent(pr, one_file()), "intent/missing-ticket"));
    const std::string required = "intent:\n  ticket:\n    required: true\n";
    CHECK(has_rule(run_intent(pr, one_file(), {required}), "intent/missing-ticket"));
    pr.body += " Closes BILL-42.";
    CHECK_FALSE(has_rule(run_intent(pr, one_file(), {required}), "intent/missing-ticket"));
    // A ticket hidden in an HTML comment does not count.
    auto hidden = pr_with("Fix invoice total rounding", std::string(kGoodBody) + "<!-- BILL-42 -->");
    CHECK(has_rule(run_intent(hidden, one_file(), {required}), "intent/missing-ticket"));
    const std::string custom = "intent:\n  ticket:\n    required: true\n    pattern: 'LIN-[0-9]+'\n";
    CHECK_FALSE(has_rule(run_intent(pr_with("LIN-7 Fix invoice total rounding", kGoodBody), one_file(), {custom}),
                         "intent/missing-ticket"));
  }
}
