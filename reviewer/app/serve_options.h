// AppHandlerOptions from `serve`'s settings: mode, data directory,
// guidance, model configuration and GitHub credentials. Used by cmd_serve
// and the end-to-end tests, so both run the same wiring.
#pragma once

#include "reviewer/app/handler.h"

namespace reviewer::server { struct ServeSettings; }

namespace reviewer::app {

// Reads the App's key file, the guidance (then watched for edits) and the
// model configuration now, so a bad one stops `serve` at start. GitHub calls are counted in `metrics`
// (reviewer_github_api_calls_total{status}) and their retries logged to
// `log`; both must outlive the handler. Throws reviewer::Error (usage)
// naming the setting.
// `client` carries timeouts, pacing and test seams; its api_url and
// credentials come from the settings.
AppHandlerOptions handler_options(const server::ServeSettings& settings, server::JsonLog* log,
                                  server::Metrics* metrics, github::ClientOptions client = {});

}  // namespace reviewer::app
