// The incident side of a unit: every unit's dispatches, updates and closes
// and the premise panel they pop; on a patrol car, the co-responder request
// panel, its request to CAD and what CAD says back, with the clinician
// units' live states and positions that the panel lists.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coresponder_panels.h"
#include "coresponder_roster.h"
#include "incident_record.h"
#include "premise_panel.h"
#include "workflow_context.h"

namespace mdtc::plugin {

// What opens or changes an incident: CAD's dispatch or update, or the
// journal bringing it back after a restart.
struct IncidentNews {
  bool dispatch = true;  // a new assignment (a dispatch, or a restored one)
  std::string sent_at;   // CAD's time of the message
  bool restored = false;
  std::optional<int64_t> restored_dispatched_ms;  // the journal's dispatch time
  bool recheck = false;  // no word from CAD: the cache changed under the call
};

class PatrolWorkflow {
 public:
  explicit PatrolWorkflow(WorkflowContext& ctx) : ctx_(ctx), options_(ctx.options), ports_(ctx.ports) {}

  // The one entry that opens or updates an incident, for a dispatch, an
  // update and a restore alike.
  void open_incident(const bridge::Incident& inc, const IncidentNews& news, int64_t now_ms);
  void close_incident(const std::string& incident_id);
  // A request on this patrol car's own topic: a dispatcher's, for its call.
  void on_dispatch_request(const bridge::CoresponderRequest& m, int64_t now_ms);
  void on_coresponder_status(const bridge::CoresponderStatus& m);
  void on_unit_location(const bridge::UnitLocation& m, int64_t now_ms);
  void on_coresponder_state(const bridge::CoresponderState& m, int64_t now_ms);
  // A tap on the request panel of `incident_id`; empty when it has none.
  std::optional<Status> on_request_panel_action(const std::string& incident_id, const std::string& action,
                                                int64_t now_ms);
  void on_tick(int64_t now_ms);
  // Each open incident looked up again (the cache changed under it).
  void recheck_open_incidents(int64_t now_ms);
  // From the journal: an open incident, and another unit's last live state.
  void restore_incident(const IncidentRecord& record, int64_t now_ms);
  void restore_unit_state(const UnitStateRecord& record, int64_t now_ms);
  // CAD's wipe: the journal forgets every incident, and so does the car.
  void wipe();

 private:
  struct IncidentState {
    IncidentSummary summary;
    bridge::Location location;
    std::optional<RequestView> request;
    std::string request_id;
    int64_t request_sent_ms = 0;
    bool premise_shown = false;
    std::set<std::string> spoken;  // the cautions already said aloud for this call
    std::vector<std::string> shown_flag_ids;  // on the premise panel now
    std::optional<cache::Freshness> shown_freshness;  // of the answer it showed
    std::optional<LatLon> where;  // the incident's, or else the matched premise's, coordinates
  };

  void refresh_requests(int64_t now_ms);
  void send_request(IncidentState& st, int64_t now_ms, bool automatic);
  // Recomputes the on-duty list of a request still open; true if it changed.
  bool refresh_on_duty(IncidentState& st, int64_t now_ms);
  Status on_request_action(IncidentState& st, const std::string& action, int64_t now_ms);
  Status on_handoff(IncidentState& st, const std::string& which);
  void refresh_request_panel(const IncidentState& st);
  void withdraw_request(IncidentState& st);
  void save(const IncidentState& st);

  // The shared context under the names the workflow's code reads best with.
  void bump(const std::string& counter) { ctx_.bump(counter); }
  void present(const PanelDocument& doc) { ctx_.present(doc); }
  void dismiss(const std::string& panel_id) { ctx_.dismiss(panel_id); }
  std::optional<LatLon> position(int64_t now_ms) const { return ctx_.position(now_ms); }
  int64_t wall_ms() const { return ctx_.wall_ms(); }
  LocalTime local_time(int64_t now_ms) const { return ctx_.local_time(now_ms); }
  void stamp(const std::string& request_id, const std::string& incident_id, OutcomeStep step) {
    ctx_.stamp(request_id, incident_id, step);
  }

  WorkflowContext& ctx_;
  const PipelineOptions& options_;
  Ports& ports_;
  std::map<std::string, IncidentState> incidents_;  // by incident id
  uint64_t request_counter_ = 0;
  std::map<std::string, UnitPosition> unit_positions_;  // scheduled units, from CAD
  std::map<std::string, LiveState> live_states_;        // clinician units' live states, from CAD
};

}  // namespace mdtc::plugin
