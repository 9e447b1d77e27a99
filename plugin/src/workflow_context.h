// What the patrol and the clinician workflows share: the unit's options,
// the ports, the counters, the panels on screen, the car's position and
// the clocks. The pipeline owns one and hands it to both.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "geo.h"
#include "pipeline_ports.h"

namespace mdtc::plugin {

// The address a panel shows: CAD's text, else the civic line, else the
// coordinates.
std::string display_address(const bridge::Location& loc);

class WorkflowContext {
 public:
  WorkflowContext(const PipelineOptions& unit_options, Ports& unit_ports)
      : options(unit_options), ports(unit_ports) {}

  const PipelineOptions& options;
  Ports& ports;
  std::map<std::string, uint64_t> counters;
  void bump(const std::string& counter) { ++counters[counter]; }

  // Shows a panel, or updates it when it is on screen. A panel the host
  // refuses is kept and shown whole again by retry_refused().
  void present(const PanelDocument& doc);
  void dismiss(const std::string& panel_id);
  // Each tick: a panel the host refused is offered again until it is up.
  void retry_refused();
  // CAD's wipe: every panel off the screen at once.
  void close_all();

  void set_position(LatLon where, int64_t now_ms);
  // The current position, unless it is older than gps_stale_after_s.
  std::optional<LatLon> position(int64_t now_ms) const;
  // Unix milliseconds (now_ms is monotonic, for timeouts).
  int64_t wall_ms() const;
  // The car's local weekday and minute, for the duty schedule.
  LocalTime local_time(int64_t now_ms) const;
  // Stamps a step of a request into its outcome record at the wall clock.
  void stamp(const std::string& request_id, const std::string& incident_id, OutcomeStep step,
             const std::string& requested_by = {});

 private:
  std::set<std::string> shown_;  // panel ids on screen
  // Panels the host refused to show: not on screen, so each is shown again
  // (whole, with show_panel) with its next change or on the next tick.
  std::map<std::string, PanelDocument> refused_;
  std::optional<LatLon> position_;
  int64_t position_ms_ = 0;
};

}  // namespace mdtc::plugin
