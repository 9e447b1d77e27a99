#include "clinician_workflow.h"

#include <algorithm>
#include <cstdlib>

#include "action_payload.h"
#include "journal_json.h"
#include "mdt_host/mdt_host_api.h"

namespace mdtc::plugin {
namespace {

// The phases in which this unit has the call.
bool is_going(OfferPhase p) {
  return p == OfferPhase::accepted || p == OfferPhase::en_route || p == OfferPhase::on_scene;
}

// Along accepted, en route, on scene, cleared (OfferPhase lists them in
// that order, with the phases that end an offer between).
bool is_after(OfferPhase later, OfferPhase earlier) {
  return static_cast<int>(later) > static_cast<int>(earlier);
}

}  // namespace

void ClinicianWorkflow::on_coresponder_request(const bridge::CoresponderRequest& m, int64_t now_ms) {
  auto offer = offer_from_request(m);
  if (!offer) {
    bump("dropped.bad_request");
    return;
  }
  const std::string rid = offer->view.request_id;
  if (offers_.count(rid)) return;  // a repeat of an offer already on screen
  bump("offers_received");
  {
    // The officer's request time and who asked, when the request says
    // (older plugins send neither: then only "automatic" tells).
    std::string by = m.requested_by;
    if (!is_requester(by)) by = m.automatic ? "auto_rule" : "officer";
    if (const auto at = parse_utc_text(m.requested_at)) {
      ports_.stamp_outcome({rid, offer->view.incident_id, options_.unit_id, OutcomeStep::requested, *at, by});
      bump("outcome_stamps.requested");
    }
    stamp(rid, offer->view.incident_id, OutcomeStep::offered, by);
  }
  OfferState st;
  st.view = std::move(offer->view);
  st.location = std::move(offer->location);
  st.view.address = display_address(st.location);
  if (auto here = position(now_ms); here && st.location.lat && st.location.lon) {
    st.view.distance_m = distance_m(*here, {*st.location.lat, *st.location.lon});
    st.view.eta_s = eta_seconds(*st.view.distance_m, options_.eta_speed_mps);
  }
  st.match = ports_.lookup(st.location);
  const PanelDocument doc = build_offer_panel(st.view, st.match);
  present(doc);
  const auto flag_ids = doc.flag_ids();
  if (!flag_ids.empty()) ports_.audit(st.view.incident_id, flag_ids);
  ports_.notify(MDT_NOTIFY_INFO, "Co-responder request from unit " + st.view.from_unit);
  save(st);
  offers_.emplace(rid, std::move(st));
}

void ClinicianWorkflow::on_coresponder_status(const bridge::CoresponderStatus& m, int64_t now_ms) {
  const std::string& rid = m.request_id;
  const std::string& state = m.state;
  auto it = offers_.find(rid);
  if (it == offers_.end()) return;
  if (state != "taken" && state != "cancelled") return;
  OfferView& v = it->second.view;
  const bool was_going = is_going(v.phase);
  v.phase = state == "taken" ? OfferPhase::taken : OfferPhase::cancelled;
  present(build_offer_panel(v, it->second.match));
  save(it->second);
  if (!was_going) return;
  // This unit's accept that meets "taken" lost the race to another unit's:
  // its file does not count the call as one it answered.
  if (state == "taken") {
    ports_.stamp_outcome({v.request_id, v.incident_id, options_.unit_id, OutcomeStep::accepted, wall_ms(), {}, {},
                          /*accept_withdrawn=*/true});
    bump("offers_lost_to_another_unit");
  }
  free_again(now_ms);  // not going after all
}

// The call this unit went to ended: free again, unless the clinician set
// the state by hand meanwhile.
void ClinicianWorkflow::free_again(int64_t now_ms) {
  if (own_state_.state == "busy" && own_state_.automatic) set_own_state("available", std::nullopt, true, now_ms);
}

void ClinicianWorkflow::incident_closed(const std::string& incident_id) {
  for (auto& [rid, offer] : offers_) {
    if (offer.view.incident_id != incident_id) continue;
    if (offer.view.phase == OfferPhase::offered) {
      offer.view.phase = OfferPhase::cancelled;
      present(build_offer_panel(offer.view, offer.match));
      save(offer);
    }
  }
}

std::optional<Status> ClinicianWorkflow::on_offer_panel_action(const std::string& request_id,
                                                               const std::string& action, int64_t now_ms,
                                                               const std::string& payload_json) {
  auto it = offers_.find(request_id);
  if (it == offers_.end()) return std::nullopt;
  return on_offer_action(it->second, action, now_ms, payload_json);
}

Status ClinicianWorkflow::on_offer_action(OfferState& st, const std::string& action, int64_t now_ms,
                                          const std::string& payload_json) {
  OfferView& v = st.view;
  if (is_disposition(action)) {
    if (v.phase != OfferPhase::cleared)
      return make_error("plugin.bad_action", "an outcome is filed after clearing the call");
    // A filing that is not kept says so on the panel: the clinician
    // otherwise takes the call as recorded.
    const auto refused = [&](Error e) -> Status {
      v.outcome_refused = e.message;
      present(build_offer_panel(v, st.match));
      return e;
    };
    const auto payload = action_fields(payload_json);
    Outcome o;
    o.request_id = v.request_id;
    o.incident_id = v.incident_id;
    o.unit = options_.unit_id;
    o.codes["disposition"] = action;
    o.note = field(payload, "note");
    for (const auto& f : outcome_fields()) {
      if (f.id == "disposition") continue;
      std::string code = field(payload, f.id);
      if (code.empty()) code = kUnknown;
      if (!is_outcome_code(f.id, code)) {
        std::string expected;
        for (const auto& c : f.codes) expected += (expected.empty() ? "" : ", ") + c.id;
        return refused(make_error("plugin.bad_outcome_code", f.id + " = '" + code + "': expected one of " + expected));
      }
      o.codes[f.id] = code;
    }
    if (auto st_ = ports_.record_outcome(std::move(o)); !st_) return refused(st_.error());
    v.outcome = action;
    v.outcome_refused.clear();
    bump("outcomes_recorded");
    present(build_offer_panel(v, st.match));
    save(st);
    return Ok{};
  }
  if (action == "accept" || action == "decline") {
    if (v.phase != OfferPhase::offered)
      return make_error("plugin.bad_action", "request " + v.request_id + " is already " +
                                                 to_string(v.phase));
    const bool accepted = action == "accept";
    bridge::CoresponderResponse answer{v.request_id, v.incident_id, accepted, options_.unit_name, {}};
    if (accepted) {
      // Recompute with the freshest position: the offer may have waited.
      if (auto here = position(now_ms); here && st.location.lat && st.location.lon) {
        v.distance_m = distance_m(*here, {*st.location.lat, *st.location.lon});
        v.eta_s = eta_seconds(*v.distance_m, options_.eta_speed_mps);
      }
      answer.eta_s = v.eta_s;
    }
    ports_.send(answer);
    v.phase = accepted ? OfferPhase::accepted : OfferPhase::declined;
    bump(accepted ? "offers_accepted" : "offers_declined");
    if (accepted) {
      stamp(v.request_id, v.incident_id, OutcomeStep::accepted);
      // Going to a call: officers see this unit busy and CAD offers it no
      // more calls until it clears.
      if (own_state_.state != "off_duty") set_own_state("busy", std::nullopt, true, now_ms);
    }
  } else if (action == "en_route" || action == "on_scene" || action == "clear") {
    // Only forward, and only on a call this unit has: a tap still on its
    // way when the offer was taken or cancelled must not put the clinician
    // en route to a call another unit has.
    const OfferPhase next = action == "en_route"   ? OfferPhase::en_route
                            : action == "on_scene" ? OfferPhase::on_scene
                                                   : OfferPhase::cleared;
    if (!is_going(v.phase) || !is_after(next, v.phase))
      return make_error("plugin.bad_action", "request " + v.request_id + " is " + to_string(v.phase) + ": no '" +
                                                 action + "' now");
    ports_.send(bridge::CoresponderStatus{v.request_id, v.incident_id, action == "clear" ? "cleared" : action, {}, {}, {}});
    v.phase = next;
    stamp(v.request_id, v.incident_id,
          action == "en_route"   ? OutcomeStep::en_route
          : action == "on_scene" ? OutcomeStep::on_scene
                                 : OutcomeStep::cleared);
    if (next == OfferPhase::cleared) free_again(now_ms);
  } else if (action == "officer_released") {
    // Recorded on the clinician's side only: no wire message tells the
    // officer's car yet (the officer hears it on scene).
    if (v.phase != OfferPhase::on_scene || v.officer_released)
      return make_error("plugin.bad_action", "the officer is released once, while on scene");
    v.officer_released = true;
    stamp(v.request_id, v.incident_id, OutcomeStep::officer_released);
  } else {
    return make_error("plugin.bad_action", "offer panel has no action '" + action + "'");
  }
  present(build_offer_panel(v, st.match));
  save(st);
  return Ok{};
}

Status ClinicianWorkflow::on_availability_action(const std::string& action, int64_t now_ms,
                                                 const std::string& payload_json) {
  static const std::map<std::string, std::string> states = {{"state_available", "available"},
                                                             {"state_busy", "busy"},
                                                             {"state_telehealth", "telehealth"},
                                                             {"state_off_duty", "off_duty"}};
  const auto it = states.find(action);
  if (it == states.end())
    return make_error("plugin.bad_action", "availability panel has no action '" + action + "'");
  std::optional<int64_t> free_at;
  if (it->second == "busy") {
    const std::string minutes = field(action_fields(payload_json), "free_in_min");
    char* end = nullptr;
    const long n = minutes.empty() ? 0 : std::strtol(minutes.c_str(), &end, 10);
    if (n > 0 && n <= 24 * 60 && end && *end == '\0') free_at = wall_ms() + int64_t{n} * 60000;
  }
  set_own_state(it->second, free_at, false, now_ms);
  return Ok{};
}

void ClinicianWorkflow::set_own_state(const std::string& state, std::optional<int64_t> free_at_ms, bool automatic,
                                      int64_t now_ms) {
  own_state_ = {state, free_at_ms, automatic};
  own_state_set_wall_ms_ = wall_ms();
  bump("own_state." + state);
  ports_.remember_incident(kAvailabilityJournalKey,
                           to_json(UnitStateRecord{options_.unit_id, true, state, options_.unit_name, free_at_ms,
                                                   own_state_set_wall_ms_, automatic}));
  present(build_availability_panel(own_state_));
  availability_shown_ = true;
  send_own_state(now_ms);
}

void ClinicianWorkflow::send_own_state(int64_t now_ms) {
  // No unit: the link's envelope names the sender.
  bridge::CoresponderState state{{}, own_state_.state, {}, options_.unit_name, utc_text(own_state_set_wall_ms_)};
  if (own_state_.state == "busy" && own_state_.free_at_ms) state.free_at = utc_text(*own_state_.free_at_ms);
  own_state_sent_ms_ = now_ms;
  own_state_unsent_ = false;
  if (ports_.send(state) == Sent::failed) {
    own_state_unsent_ = true;  // the next tick tries again
    bump("own_state_not_sent");
    return;
  }
  bump("own_state_sent");
}

void ClinicianWorkflow::on_tick(int64_t now_ms) {
  if (!availability_shown_) {
    availability_shown_ = true;
    present(build_availability_panel(own_state_));
  }
  // Said again well within the officers' stale limit: silence then means
  // the unit is gone, not that nothing changed.
  const int64_t every = std::max<int64_t>(10, options_.state_stale_s / 3) * 1000;
  if (!own_state_.state.empty() && (own_state_unsent_ || now_ms - own_state_sent_ms_ >= every))
    send_own_state(now_ms);
}

void ClinicianWorkflow::save(const OfferState& st) {
  const OfferPhase p = st.view.phase;
  // Finished offers leave the journal: nothing more to do on them after a restart.
  const bool finished = p == OfferPhase::declined || p == OfferPhase::taken || p == OfferPhase::cancelled ||
                        (p == OfferPhase::cleared && !st.view.outcome.empty());
  const std::string key = offer_journal_key(st.view.request_id);
  if (finished)
    ports_.forget_incident(key);
  else
    ports_.remember_incident(key, to_json(OfferRecord{st.view, st.location}));
}

void ClinicianWorkflow::restore_offer(OfferRecord record, int64_t /*now_ms*/) {
  if (options_.role != config::Role::coresponder || offers_.count(record.view.request_id)) return;
  OfferState st;
  st.view = std::move(record.view);
  st.view.restored = true;
  st.location = std::move(record.location);
  st.view.address = display_address(st.location);
  st.match = ports_.lookup(st.location);
  const PanelDocument doc = build_offer_panel(st.view, st.match);
  present(doc);
  if (const auto flag_ids = doc.flag_ids(); !flag_ids.empty()) ports_.audit(st.view.incident_id, flag_ids);
  bump("offers_restored");
  offers_.emplace(st.view.request_id, std::move(st));
}

void ClinicianWorkflow::restore_own_state(const UnitStateRecord& record) {
  own_state_ = {record.state, record.free_at_ms, record.automatic};
  own_state_set_wall_ms_ = record.heard_wall_ms;
  own_state_unsent_ = true;  // CAD and the officers hear it again at the first tick
  bump("availability_restored");
}

void ClinicianWorkflow::wipe() {
  for (const auto& [rid, st] : offers_) ports_.forget_incident(offer_journal_key(rid));
  offers_.clear();
}

}  // namespace mdtc::plugin
