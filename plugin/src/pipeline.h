// The plugin's pipeline: a thin dispatcher that hands each CAD message, tap,
// fix and tick to the patrol workflow (dispatch -> premise panel ->
// co-responder request; patrol_workflow.h) or the clinician workflow
// (offers, accept/decline, progress, live state; clinician_workflow.h), and
// keeps what belongs to neither (the status panels, AVL reports).
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

#include "clinician_workflow.h"
#include "geo.h"
#include "mdtc/bridge.h"
#include "mdtc/gps.h"
#include "mdtc/result.h"
#include "patrol_workflow.h"
#include "pipeline_ports.h"
#include "workflow_context.h"

namespace mdtc::plugin {

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
  // The flag cache opened, was replaced, or took a registry file: every open
  // call is looked up again, and its panels follow (a FLAGS UNAVAILABLE
  // panel becomes the flags, a new flag appears).
  void on_cache_changed(int64_t now_ms);

  std::map<std::string, uint64_t> counters() const { return ctx_.counters; }
  // The current position, unless it is older than gps_stale_after_s.
  std::optional<LatLon> position(int64_t now_ms) const;

 private:
  void on_incident_closed(const std::string& incident_id);
  // One status panel per condition (the CAD link, the disk), up while it lasts.
  void show_status(const std::string& id, bool& shown, const std::string& title,
                   const PanelSection& section, const std::string& subtitle,
                   const std::string& status_text);
  void clear_status(const std::string& id, bool& shown);
  void bump(const std::string& counter) { ctx_.bump(counter); }

  PipelineOptions options_;
  WorkflowContext ctx_;  // after options_: it keeps a reference to them
  PatrolWorkflow patrol_;
  ClinicianWorkflow clinician_;
  std::optional<LatLon> last_avl_;
  int64_t last_avl_ms_ = 0;
  bool link_down_shown_ = false;
  bool storage_shown_ = false;
};

}  // namespace mdtc::plugin
