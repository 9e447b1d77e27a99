// What the pipeline and its workflows reach the outside through (Ports:
// the host's screen, the CAD link, the cache, the journal) and how a unit
// is set up (PipelineOptions). Unit tests drive them with a recording fake.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "coresponder_roster.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/config.h"
#include "mdtc/result.h"
#include "outcome_record.h"
#include "panel_document.h"

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

}  // namespace mdtc::plugin
