#include "pipeline.h"

#include <algorithm>

#include "incident_record.h"
#include "journal_json.h"

namespace mdtc::plugin {
namespace {

bool addressed_to(const bridge::Message& m, const std::string& unit_id) {
  if (m.topic == "unit." + unit_id) return true;
  // On the shared `all` topic an incident concerns us only if it names us.
  if (!m.incident()) return false;
  const auto& units = m.incident()->units;
  return std::find(units.begin(), units.end(), unit_id) != units.end();
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options, Ports& ports)
    : options_(std::move(options)), ctx_(options_, ports), patrol_(ctx_), clinician_(ctx_) {}

std::optional<LatLon> Pipeline::position(int64_t now_ms) const { return ctx_.position(now_ms); }

void Pipeline::on_message(const bridge::Message& m, int64_t now_ms) {
  const bool clinician = options_.role == config::Role::coresponder;
  if (const auto* inc = m.incident()) {
    if (!addressed_to(m, options_.unit_id)) return;
    IncidentNews news;
    news.dispatch = m.type() == bridge::MessageType::dispatch;
    news.sent_at = m.sent_at;
    patrol_.open_incident(*inc, news, now_ms);
  } else if (const auto* cancel = m.as<bridge::Cancel>()) {
    on_incident_closed(cancel->incident_id);
  } else if (const auto* cleared = m.as<bridge::UnitCleared>()) {
    // On the shared topic, another unit clearing says nothing about ours.
    if (m.topic == "unit." + options_.unit_id || cleared->unit == options_.unit_id)
      on_incident_closed(cleared->incident_id);
  } else if (const auto* r = m.as<bridge::CoresponderRequest>()) {
    if (clinician) {
      clinician_.on_coresponder_request(*r, now_ms);
    } else if (m.topic == "unit." + options_.unit_id) {
      // On a patrol car a request comes only from dispatch, for its own call.
      patrol_.on_dispatch_request(*r, now_ms);
    }
  } else if (const auto* status = m.as<bridge::CoresponderStatus>()) {
    if (clinician)
      clinician_.on_coresponder_status(*status, now_ms);
    else
      patrol_.on_coresponder_status(*status);
  } else if (const auto* where = m.as<bridge::UnitLocation>()) {
    patrol_.on_unit_location(*where, now_ms);
  } else if (const auto* state = m.as<bridge::CoresponderState>()) {
    patrol_.on_coresponder_state(*state, now_ms);
  } else if (m.type() == bridge::MessageType::wipe) {
    // The link delivers a wipe only over an authenticated (CURVE) link.
    bump("wipes");
    ctx_.ports.wipe_cache("erased on command from CAD");
    ctx_.close_all();
    patrol_.wipe();
    clinician_.wipe();
  }
}

void Pipeline::on_incident_closed(const std::string& incident_id) {
  patrol_.close_incident(incident_id);
  clinician_.incident_closed(incident_id);
}

Status Pipeline::on_user_action(const std::string& panel_id, const std::string& action,
                                int64_t now_ms, const std::string& payload_json) {
  bump("user_actions");
  if (action == "dismiss") {
    ctx_.dismiss(panel_id);
    return Ok{};
  }
  const auto colon = panel_id.find(':');
  const std::string kind = panel_id.substr(0, colon);
  const std::string key = colon == std::string::npos ? "" : panel_id.substr(colon + 1);
  std::optional<Status> done;
  if (kind == "coresponder") {
    done = patrol_.on_request_panel_action(key, action, now_ms);
  } else if (kind == "offer") {
    done = clinician_.on_offer_panel_action(key, action, now_ms, payload_json);
  } else if (kind == "availability" && options_.role == config::Role::coresponder) {
    return clinician_.on_availability_action(action, now_ms, payload_json);
  }
  if (done) return *done;
  return make_error("plugin.unknown_panel", "no open panel '" + panel_id + "' takes action '" +
                                                action + "'");
}

void Pipeline::on_tick(int64_t now_ms) {
  ctx_.retry_refused();
  if (options_.role == config::Role::coresponder) clinician_.on_tick(now_ms);
  patrol_.on_tick(now_ms);
}

void Pipeline::on_cache_changed(int64_t now_ms) { patrol_.recheck_open_incidents(now_ms); }

void Pipeline::restore(const std::string& record_json, int64_t now_ms) {
  if (auto unit_state = unit_state_record_from_json(record_json)) {
    if (unit_state->own) {
      if (options_.role == config::Role::coresponder) clinician_.restore_own_state(*unit_state);
    } else if (options_.role == config::Role::patrol) {
      patrol_.restore_unit_state(*unit_state, now_ms);
    }
    return;
  }
  if (auto offer = offer_record_from_json(record_json)) {
    clinician_.restore_offer(std::move(*offer), now_ms);
    return;
  }
  const auto record = incident_record_from_json(record_json);
  if (!record) {
    bump("journal.unreadable");
    return;
  }
  patrol_.restore_incident(*record, now_ms);
}

void Pipeline::show_status(const std::string& id, bool& shown, const std::string& title,
                           const PanelSection& section, const std::string& subtitle,
                           const std::string& status_text) {
  PanelDocument doc;
  doc.id = id;
  doc.kind = "status";
  doc.title = title;
  doc.severity = Severity::warning;
  doc.subtitle = subtitle;
  PanelSection s = section;
  s.severity = Severity::warning;
  s.fields.push_back({"Status", status_text, Severity::warning, {}, {}});
  doc.sections.push_back(std::move(s));
  ctx_.present(doc);
  shown = true;
}

void Pipeline::clear_status(const std::string& id, bool& shown) {
  if (shown) ctx_.dismiss(id);
  shown = false;
}

void Pipeline::on_link_status(const bridge::LinkStatus& status) {
  if (status.up) return clear_status("status:cad-link", link_down_shown_);
  const std::string detail = status.detail.empty()
                                 ? "CAD link down " + std::to_string(status.silent_s) + " s"
                                 : status.detail;
  show_status("status:cad-link", link_down_shown_, "CAD LINK DOWN", {"link", "CAD LINK", Severity::warning, {}, {}}, detail,
              detail + " - new dispatches may not reach this unit");
}

void Pipeline::on_storage_status(const StorageStatus& status) {
  if (status.ok) return clear_status("status:storage", storage_shown_);
  show_status("status:storage", storage_shown_, status.title, {"storage", "STORAGE", Severity::warning, {}, {}}, status.detail,
              status.detail);
}

void Pipeline::on_fix(const gps::Fix& fix, int64_t now_ms) {
  if (!fix.lat || !fix.lon || static_cast<int>(fix.mode) < static_cast<int>(gps::Mode::fix_2d))
    return;
  ctx_.set_position(LatLon{*fix.lat, *fix.lon}, now_ms);
  const LatLon here{*fix.lat, *fix.lon};
  // AVL: report on an interval, or sooner after a real move.
  const bool due = !last_avl_ || now_ms - last_avl_ms_ >= int64_t{options_.avl_interval_s} * 1000 ||
                   distance_m(*last_avl_, here) >= options_.avl_distance_m;
  if (!due) return;
  // fix_at lets a gateway that gets reports late or twice (resent after a
  // reconnect) keep the newest position, not the last to arrive.
  const std::string fix_at = fix.time_ms ? gps::format_time_utc(*fix.time_ms) : std::string();
  if (ctx_.ports.send(bridge::Avl{here.lat, here.lon, fix.speed_mps, fix.course_deg, fix_at}) == Sent::failed) {
    bump("avl_dropped");  // the next fix tries again
    return;
  }
  last_avl_ = here;
  last_avl_ms_ = now_ms;
  bump("avl_sent");
}

}  // namespace mdtc::plugin
