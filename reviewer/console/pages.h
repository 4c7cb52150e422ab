// The console's pages, one function per route (console.cpp routes to
// them after authentication). Internal to reviewer/console.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "audit/readonly_session.h"
#include "reviewer/console/live_overview.h"
#include "reviewer/console/overview_cache.h"
#include "reviewer/console/params.h"
#include "reviewer/http/listener.h"

namespace reviewer::console {

using http::HttpAnswer;

// What a page handler gets: the decoded parameters, who is signed in, and
// the log, opened read-only on first use (one snapshot per request).
class PageContext {
 public:
  PageContext(const Params& params, std::string user, std::function<std::unique_ptr<audit::ReadOnlySession>()> open,
              OverviewCache& overviews, LiveOverview* live)
      : params(params), user(std::move(user)), overviews(overviews), live(live), open_(std::move(open)) {}
  audit::ReadOnlySession& session() {
    if (!session_) session_ = open_();
    return *session_;
  }
  audit::LogReader& log() { return session().log(); }

  const Params& params;
  const std::string user;
  OverviewCache& overviews;  // shared by every request
  LiveOverview* live;        // the overview's summary, shared; null when off

 private:
  std::function<std::unique_ptr<audit::ReadOnlySession>()> open_;
  std::unique_ptr<audit::ReadOnlySession> session_;
};

HttpAnswer html_answer(unsigned status, std::string body);
// An error page: the message shown as text.
HttpAnswer error_page(unsigned status, const std::string& title, const std::string& message, const std::string& user);

HttpAnswer overview_page(PageContext& c);     // /
HttpAnswer changes_page(PageContext& c);      // /changes
HttpAnswer changes_csv(PageContext& c);       // /changes.csv
HttpAnswer change_page(PageContext& c);       // /change
HttpAnswer sample_page(PageContext& c);       // /sample
HttpAnswer sample_pack(PageContext& c);       // /sample/pack.tar
HttpAnswer sql_page(PageContext& c);          // /sql
HttpAnswer sql_csv(PageContext& c);           // /sql.csv
HttpAnswer login_page(const std::string& message);  // /login

// The filter form shared by Overview, Changes and Sample: period,
// repositories and, where `fields` names them, the other filters.
std::string filter_form(PageContext& c, const FilterForm& f, const std::string& action, bool all_fields,
                        const std::string& extra_fields);

}  // namespace reviewer::console
