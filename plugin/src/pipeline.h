// The dispatch -> match -> panel pipeline and the co-responder workflow.
//
// Single-threaded by design: the plugin's pipeline thread owns a Pipeline
// and feeds it events one at a time; I/O threads (CAD link, GPS) never touch
// it. Everything it does to the outside goes through Ports, so unit tests
// drive it with plain values and a recording fake.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coresponder_panels.h"
#include "coresponder_roster.h"
#include "geo.h"
#include "incident_record.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/config.h"
#include "mdtc/gps.h"
#include "mdtc/result.h"
#include "outcome_record.h"
#include "panel_document.h"
#include "premise_panel.h"

namespace mdtc::plugin {

// What became of an outbound message: sent and kept in the outbox; sent
// from memory only because the disk refused it (lost if the MDT restarts
// before CAD acks); or not sent at all.
enum class Sent { kept, not_kept, failed };

// The plugin's files on disk: fine, or refusing writes (full or read-only).
struct StorageStatus {
  bool ok = true;
  std::string title;   // "STORAGE FULL", "STORAGE READ-ONLY"
  std::string detail;  // what it means for the officer
};

class Ports {
 public:
  virtual ~Ports() = default;
  // The host's answer, as the ABI header defines it: shown means on screen.
  enum class Shown { yes, refused, not_found };
  virtual Shown show_panel(const PanelDocument& doc) = 0;
  virtual Shown update_panel(const PanelDocument& doc) = 0;
  virtual void close_panel(const std::string& panel_id) = 0;
  virtual void notify(int priority, const std::string& text) = 0;
  virtual void log(int level, const std::string& message) = 0;
  virtual Sent send(const bridge::Outbound& message) = 0;
  virtual cache::MatchResult lookup(const cache::AddressQuery& query) = 0;
  virtual void audit(const std::string& incident_id, const std::vector<std::string>& flag_ids) = 0;
  // Stores a clinician's outcome record; the port stamps the time.
  virtual Status record_outcome(Outcome outcome) = 0;
  // Stamps one step of a request into its outcome record at once, so an
  // MDT restart loses none (the pipeline carries on whatever the disk says;
  // a refused write shows as a storage problem).
  virtual void stamp_outcome(const OutcomeStamp& stamp) = 0;
  // The incident journal: open incidents survive a restart of the MDT.
  virtual void remember_incident(const std::string& incident_id, const std::string& record_json) = 0;
  virtual void forget_incident(const std::string& incident_id) = 0;
  // Erases the local flag cache (CAD's authenticated `wipe`).
  virtual void wipe_cache(const std::string& reason) = 0;
};

struct PipelineOptions {
  config::Role role = config::Role::patrol;
  std::string unit_id;
  std::string unit_name;
  int accept_timeout_s = 120;
  std::string fallback;
  std::string telehealth_uri;   // coresponder.telehealth_uri
  std::string crisis_line_uri;  // coresponder.crisis_line_uri
  int state_stale_s = 900;      // coresponder.state_stale_s
  int gps_stale_after_s = 10;
  int avl_interval_s = 30;
  double avl_distance_m = 200;
  // The request panel's on-duty list; without a schedule none is shown.
  bool schedule_configured = false;
  std::vector<config::DutyShift> schedule;
  std::vector<config::AutoRequestRule> auto_request;
  double eta_speed_mps = 40 / 3.6;
  // The car's local weekday and minute (the schedule is local time).
  // Empty = the system's wall clock and time zone.
  std::function<LocalTime(int64_t now_ms)> local_time;
  // A journaled incident older than this, counted from CAD's dispatch time,
  // is not restored: its clear was missed, it is not the officer's call now.
  int incident_max_age_h = 12;
  // Unix milliseconds (now_ms is monotonic). Empty = the system clock.
  std::function<int64_t()> wall_ms;
};

class Pipeline {
 public:
  Pipeline(PipelineOptions options, Ports& ports);

  void on_message(const bridge::Message& message, int64_t now_ms);
  void on_link_status(const bridge::LinkStatus& status);
  // One status line while the disk refuses writes; gone when it takes them.
  void on_storage_status(const StorageStatus& status);
  void on_fix(const gps::Fix& fix, int64_t now_ms);
  // `payload_json` may carry {"note": "...", "<coded field>": "<code>", ...}
  // for an outcome record (docs/outcomes.md); a field not given is unknown.
  Status on_user_action(const std::string& panel_id, const std::string& action_id,
                        int64_t now_ms, const std::string& payload_json = {});
  void on_tick(int64_t now_ms);
  // Brings back an incident or a clinician's offer from the journal after a
  // restart: its panels pop again from a fresh cache lookup, with the
  // request or offer where it stood.
  void restore(const std::string& record_json, int64_t now_ms);

  std::map<std::string, uint64_t> counters() const { return counters_; }
  // The current position, unless it is older than gps_stale_after_s.
  std::optional<LatLon> position(int64_t now_ms) const;

 private:
  struct IncidentState {
    IncidentSummary summary;
    bridge::Location location;
    std::optional<RequestView> request;
    std::string request_id;
    int64_t request_sent_ms = 0;
    bool premise_shown = false;
    std::optional<LatLon> where;  // the incident's, or else the matched premise's, coordinates
  };
  struct OfferState {
    OfferView view;
    cache::MatchResult match;
    bridge::Location location;
  };

  // A dispatch, an update, or an incident brought back from the journal
  // (restoring_): the one way an incident opens or changes.
  void on_incident(const bridge::Incident& inc, bool is_dispatch, const std::string& sent_at, int64_t now_ms);
  void on_incident_closed(const std::string& incident_id);
  void on_coresponder_request(const bridge::CoresponderRequest& m, const std::string& topic, int64_t now_ms);
  void on_coresponder_status(const bridge::CoresponderStatus& m);
  void on_unit_location(const bridge::UnitLocation& m, int64_t now_ms);
  void on_coresponder_state(const bridge::CoresponderState& m, int64_t now_ms);
  // A dispatcher's request for this car's incident: the panel follows it.
  void on_dispatch_request(const bridge::CoresponderRequest& m, int64_t now_ms);
  // The clinician's own state: one tap, or accepting and clearing an offer.
  void set_own_state(const std::string& state, std::optional<int64_t> free_at_ms, bool automatic, int64_t now_ms);
  void send_own_state(int64_t now_ms);
  Status on_availability_action(const std::string& action, int64_t now_ms, const std::string& payload_json);
  Status on_handoff(IncidentState& st, const std::string& which);
  void refresh_requests(int64_t now_ms);
  void send_request(IncidentState& st, int64_t now_ms, bool automatic);
  // Recomputes the on-duty list of a request still open; true if it changed.
  bool refresh_on_duty(IncidentState& st, int64_t now_ms);
  LocalTime local_time(int64_t now_ms) const;
  int64_t wall_ms() const;
  Status on_request_action(IncidentState& st, const std::string& action, int64_t now_ms);
  Status on_offer_action(OfferState& st, const std::string& action, int64_t now_ms,
                         const std::string& payload_json);

  void present(const PanelDocument& doc);
  // One status panel per condition (the CAD link, the disk), up while it lasts.
  void show_status(const std::string& id, bool& shown, const std::string& title,
                   const PanelSection& section, const std::string& subtitle,
                   const std::string& status_text);
  void clear_status(const std::string& id, bool& shown);
  void dismiss(const std::string& panel_id);
  void refresh_request_panel(const IncidentState& st);
  void withdraw_request(IncidentState& st);
  void save(const IncidentState& st);
  void save(const OfferState& st);
  void restore_offer(OfferRecord record, int64_t now_ms);
  void bump(const std::string& counter) { ++counters_[counter]; }
  // Stamps a step of a request into its outcome record at the wall clock.
  void stamp(const std::string& request_id, const std::string& incident_id, OutcomeStep step,
             const std::string& requested_by = {});

  PipelineOptions options_;
  Ports& ports_;
  std::map<std::string, IncidentState> incidents_;  // by incident id
  std::map<std::string, OfferState> offers_;        // by request id
  std::set<std::string> shown_;                     // panel ids on screen
  // Panels the host refused to show: not on screen, so each is shown again
  // (whole, with show_panel) with its next change or on the next tick.
  std::map<std::string, PanelDocument> refused_;
  std::map<std::string, uint64_t> counters_;
  std::optional<LatLon> position_;
  int64_t position_ms_ = 0;
  std::optional<LatLon> last_avl_;
  int64_t last_avl_ms_ = 0;
  uint64_t request_counter_ = 0;
  bool link_down_shown_ = false;
  bool storage_shown_ = false;
  bool restoring_ = false;  // a restored incident must not trigger a second auto-request
  std::optional<int64_t> restoring_dispatched_ms_;  // the journaled dispatch time while restoring_
  std::map<std::string, UnitPosition> unit_positions_;  // scheduled units, from CAD
  std::map<std::string, LiveState> live_states_;        // clinician units' live states, from CAD
  AvailabilityView own_state_;                          // a clinician unit's own
  int64_t own_state_sent_ms_ = 0;
  int64_t own_state_set_wall_ms_ = 0;                   // when it was set: the wire's changed_at
  bool own_state_unsent_ = false;                       // restored: to send again
  bool availability_shown_ = false;
};

}  // namespace mdtc::plugin
