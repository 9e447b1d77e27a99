#include "workflow_context.h"

#include <chrono>
#include <ctime>

#include "mdtc/civic_address.h"

namespace mdtc::plugin {

std::string display_address(const bridge::Location& loc) {
  if (!loc.address.empty()) return loc.address;
  std::string out = civic_line(loc.civic);
  if (out.empty() && loc.lat && loc.lon)
    out = std::to_string(*loc.lat).substr(0, 9) + ", " + std::to_string(*loc.lon).substr(0, 10);
  return out;
}

void WorkflowContext::stamp(const std::string& request_id, const std::string& incident_id, OutcomeStep step,
                            const std::string& requested_by) {
  ports.stamp_outcome({request_id, incident_id, options.unit_id, step, wall_ms(), requested_by});
  bump(std::string("outcome_stamps.") + to_string(step));
}

std::optional<LatLon> WorkflowContext::position(int64_t now_ms) const {
  if (!position_ || now_ms - position_ms_ > int64_t{options.gps_stale_after_s} * 1000)
    return std::nullopt;
  return position_;
}

void WorkflowContext::set_position(LatLon where, int64_t now_ms) {
  position_ = where;
  position_ms_ = now_ms;
}

void WorkflowContext::present(const PanelDocument& doc) {
  if (shown_.count(doc.id) > 0) {
    const Ports::Shown updated = ports.update_panel(doc);
    if (updated == Ports::Shown::yes) {
      bump("panels_updated");
      return;
    }
    bump("panels_update_refused");
    // Not found: the panel left the screen (the host closed it). Any other
    // refusal leaves the old content up; either way, show it whole again.
    if (updated != Ports::Shown::not_found) {
      refused_.insert_or_assign(doc.id, doc);
      return;
    }
    shown_.erase(doc.id);
  }
  if (ports.show_panel(doc) == Ports::Shown::yes) {
    shown_.insert(doc.id);
    refused_.erase(doc.id);
    bump("panels_shown");
  } else {
    bump("panels_refused");
    refused_.insert_or_assign(doc.id, doc);
  }
}

void WorkflowContext::dismiss(const std::string& panel_id) {
  refused_.erase(panel_id);
  if (shown_.erase(panel_id) > 0) ports.close_panel(panel_id);
}

void WorkflowContext::retry_refused() {
  for (auto pending = refused_; auto& [id, doc] : pending) present(doc);
}

void WorkflowContext::close_all() {
  refused_.clear();
  for (auto it = shown_.begin(); it != shown_.end();) {
    ports.close_panel(*it);
    it = shown_.erase(it);
  }
}

LocalTime WorkflowContext::local_time(int64_t now_ms) const {
  if (options.local_time) return options.local_time(now_ms);
  // now_ms is a monotonic clock for timeouts; shifts follow the wall clock.
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return {(tm.tm_wday + 6) % 7, tm.tm_hour * 60 + tm.tm_min};
}

int64_t WorkflowContext::wall_ms() const {
  if (options.wall_ms) return options.wall_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace mdtc::plugin
