// What the queue stores: a delivery (kept raw for replay) and the work it
// asks for. The job a worker runs is reviewer::Job (core/job.h).
#pragma once

#include <string>

#include "reviewer/core/job.h"
#include "reviewer/github/webhook.h"

namespace reviewer::server {

// One accepted webhook delivery, as received.
struct Delivery {
  std::string delivery_id;  // X-GitHub-Delivery (unique: a redelivery reuses it)
  std::string event;        // X-GitHub-Event
  std::string action;       // payload "action", "" when absent
  std::string repository;   // payload repository.full_name, "" when absent
  std::string headers_json; // the X-GitHub-* headers, as a JSON object
  std::string body;         // the exact raw bytes that were signed
  std::string outcome;      // queued | ignored | ping
};

// The work a delivery asks for (github::classify_webhook decides it).
using JobSpec = github::WebhookJob;

}  // namespace reviewer::server
