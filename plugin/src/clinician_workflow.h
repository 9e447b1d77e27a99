// A clinician (co-responder) unit's side: the offers CAD routes to it, its
// answer (accept or decline), its progress on the call and the outcome
// filed after, and its own live availability state.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "coresponder_panels.h"
#include "incident_record.h"
#include "workflow_context.h"

namespace mdtc::plugin {

class ClinicianWorkflow {
 public:
  explicit ClinicianWorkflow(WorkflowContext& ctx) : ctx_(ctx), options_(ctx.options), ports_(ctx.ports) {}

  void on_coresponder_request(const bridge::CoresponderRequest& m, int64_t now_ms);
  void on_coresponder_status(const bridge::CoresponderStatus& m, int64_t now_ms);
  // The incident was cancelled or cleared: an offer still open is off.
  void incident_closed(const std::string& incident_id);
  // A tap on the offer panel of `request_id`; empty when there is none.
  std::optional<Status> on_offer_panel_action(const std::string& request_id, const std::string& action,
                                              int64_t now_ms, const std::string& payload_json);
  Status on_availability_action(const std::string& action, int64_t now_ms, const std::string& payload_json);
  void on_tick(int64_t now_ms);
  // From the journal: an open offer, and the unit's own state.
  void restore_offer(OfferRecord record, int64_t now_ms);
  void restore_own_state(const UnitStateRecord& record);
  // CAD's wipe: the journal forgets every offer, and so does the unit.
  void wipe();

 private:
  struct OfferState {
    OfferView view;
    cache::MatchResult match;
    bridge::Location location;
  };

  Status on_offer_action(OfferState& st, const std::string& action, int64_t now_ms,
                         const std::string& payload_json);
  // The clinician's own state: one tap, or accepting and clearing an offer.
  void set_own_state(const std::string& state, std::optional<int64_t> free_at_ms, bool automatic, int64_t now_ms);
  void free_again(int64_t now_ms);
  void send_own_state(int64_t now_ms);
  void save(const OfferState& st);

  // The shared context under the names the workflow's code reads best with.
  void bump(const std::string& counter) { ctx_.bump(counter); }
  void present(const PanelDocument& doc) { ctx_.present(doc); }
  std::optional<LatLon> position(int64_t now_ms) const { return ctx_.position(now_ms); }
  int64_t wall_ms() const { return ctx_.wall_ms(); }
  void stamp(const std::string& request_id, const std::string& incident_id, OutcomeStep step,
             const std::string& requested_by = {}) {
    ctx_.stamp(request_id, incident_id, step, requested_by);
  }

  WorkflowContext& ctx_;
  const PipelineOptions& options_;
  Ports& ports_;
  std::map<std::string, OfferState> offers_;  // by request id
  AvailabilityView own_state_;
  int64_t own_state_sent_ms_ = 0;
  int64_t own_state_set_wall_ms_ = 0;  // when it was set: the wire's changed_at
  bool own_state_unsent_ = false;      // restored: to send again
  bool availability_shown_ = false;
};

}  // namespace mdtc::plugin
