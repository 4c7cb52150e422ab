// The application's options from `serve`'s settings: mode, data directory,
// guidance, model configuration and GitHub credentials. Used by cmd_serve
// and the end-to-end tests, so both run the same wiring. The server builds
// them because it owns the settings; reviewer/app never sees ServeSettings.
#pragma once

#include <memory>

#include "reviewer/app/access.h"
#include "reviewer/app/handler.h"
#include "reviewer/server/settings.h"

namespace reviewer::server {

// Reads the App's key file, the guidance (then watched for edits) and the
// model configuration now, so a bad one stops `serve` at start. GitHub calls
// are counted in `metrics` (reviewer_github_api_calls_total{status}) and
// their retries logged to `log`; both must outlive the handler. Throws
// reviewer::Error (usage) naming the setting.
// `client` carries timeouts, pacing and test seams; its api_url and
// credentials come from the settings.
app::AppHandlerOptions handler_options(const ServeSettings& settings, app::JsonLog* log, Metrics* metrics,
                                       github::ClientOptions client = {});

// GitHub access from the settings (reads the App's key file), or null when
// they hold no GitHub credentials. Throws reviewer::Error(usage) naming the
// variable for an unreadable key file (the message never quotes the key).
std::shared_ptr<app::GitHubAccess> github_access(const ServeSettings& settings, github::ClientOptions client);

}  // namespace reviewer::server
