#include "pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>

#include "action_payload.h"
#include "incident_record.h"
#include "mdt_host/mdt_host_api.h"
#include "redaction.h"

namespace mdtc::plugin {
namespace {

std::string display_address(const bridge::Location& loc) {
  if (!loc.address.empty()) return loc.address;
  std::string out = civic_line(loc.civic);
  if (out.empty() && loc.lat && loc.lon)
    out = std::to_string(*loc.lat).substr(0, 9) + ", " + std::to_string(*loc.lon).substr(0, 10);
  return out;
}

bool addressed_to(const bridge::Message& m, const std::string& unit_id) {
  if (m.topic == "unit." + unit_id) return true;
  // On the shared `all` topic an incident concerns us only if it names us.
  if (!m.incident()) return false;
  const auto& units = m.incident()->units;
  return std::find(units.begin(), units.end(), unit_id) != units.end();
}

}  // namespace

Pipeline::Pipeline(PipelineOptions options, Ports& ports)
    : options_(std::move(options)), ports_(ports) {}

void Pipeline::stamp(const std::string& request_id, const std::string& incident_id, OutcomeStep step,
                     const std::string& requested_by) {
  ports_.stamp_outcome({request_id, incident_id, options_.unit_id, step, wall_ms(), requested_by});
  bump(std::string("outcome_stamps.") + to_string(step));
}

std::optional<LatLon> Pipeline::position(int64_t now_ms) const {
  if (!position_ || now_ms - position_ms_ > int64_t{options_.gps_stale_after_s} * 1000)
    return std::nullopt;
  return position_;
}

void Pipeline::present(const PanelDocument& doc) {
  if (shown_.count(doc.id) > 0) {
    const Ports::Shown updated = ports_.update_panel(doc);
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
  if (ports_.show_panel(doc) == Ports::Shown::yes) {
    shown_.insert(doc.id);
    refused_.erase(doc.id);
    bump("panels_shown");
  } else {
    bump("panels_refused");
    refused_.insert_or_assign(doc.id, doc);
  }
}

void Pipeline::dismiss(const std::string& panel_id) {
  refused_.erase(panel_id);
  if (shown_.erase(panel_id) > 0) ports_.close_panel(panel_id);
}

void Pipeline::on_message(const bridge::Message& m, int64_t now_ms) {
  if (const auto* inc = m.incident()) {
    if (!addressed_to(m, options_.unit_id)) return;
    on_incident(*inc, m.type() == bridge::MessageType::dispatch, m.sent_at, now_ms);
  } else if (const auto* c = m.as<bridge::Cancel>()) {
    on_incident_closed(c->incident_id);
  } else if (const auto* c = m.as<bridge::UnitCleared>()) {
    // On the shared topic, another unit clearing says nothing about ours.
    if (m.topic == "unit." + options_.unit_id || c->unit == options_.unit_id)
      on_incident_closed(c->incident_id);
  } else if (const auto* r = m.as<bridge::CoresponderRequest>()) {
    on_coresponder_request(*r, m.topic, now_ms);
  } else if (const auto* s = m.as<bridge::CoresponderStatus>()) {
    on_coresponder_status(*s);
  } else if (const auto* l = m.as<bridge::UnitLocation>()) {
    on_unit_location(*l, now_ms);
  } else if (const auto* s = m.as<bridge::CoresponderState>()) {
    on_coresponder_state(*s, now_ms);
  } else if (m.type() == bridge::MessageType::wipe) {
    // The link delivers a wipe only over an authenticated (CURVE) link.
    bump("wipes");
    ports_.wipe_cache("erased on command from CAD");
    refused_.clear();
    for (auto it = shown_.begin(); it != shown_.end();) {
      ports_.close_panel(*it);
      it = shown_.erase(it);
    }
    for (const auto& [id, st] : incidents_) ports_.forget_incident(id);
    for (const auto& [rid, st] : offers_) ports_.forget_incident(offer_journal_key(rid));
    incidents_.clear();
    offers_.clear();
  }
}

void Pipeline::on_incident(const bridge::Incident& inc, bool is_dispatch, const std::string& sent_at,
                           int64_t now_ms) {
  bump(is_dispatch ? "dispatches" : "incident_updates");
  IncidentState& st = incidents_[inc.id];
  // When the call was dispatched: CAD's time of the dispatch (a new dispatch
  // is a new assignment); an update keeps it; the journal's on a restore.
  std::optional<int64_t> dispatched = st.summary.dispatched_ms;
  if (restoring_) {
    dispatched = restoring_dispatched_ms_;
  } else if (is_dispatch || !dispatched) {
    dispatched = bridge::parse_sent_at_ms(sent_at);
    if (!dispatched) dispatched = wall_ms();  // no readable CAD time: when it reached the car
  }
  // Any word from CAD about the call makes it live again, not merely restored.
  st.summary = {inc.id, inc.call_type, inc.priority, display_address(inc.location), dispatched,
                restoring_};
  st.location = inc.location;

  const cache::MatchResult match = ports_.lookup(inc.location);
  if (match.freshness == cache::Freshness::unavailable) bump("lookups_unavailable");
  st.where.reset();
  if (inc.location.lat && inc.location.lon) {
    st.where = LatLon{*inc.location.lat, *inc.location.lon};
  } else if (!match.premises.empty() && match.premises[0].lat && match.premises[0].lon) {
    st.where = LatLon{*match.premises[0].lat, *match.premises[0].lon};
  }
  st.summary.distance_m.reset();
  if (const auto here = position(now_ms); here && st.where) st.summary.distance_m = distance_m(*here, *st.where);
  // Rules see only what the officer may see: a request triggered by a
  // clinician-only flag would reveal that flag.
  const cache::MatchResult visible = redact_for(options_.role, match);
  bool auto_wanted = false;
  if (options_.role == config::Role::patrol && !options_.auto_request.empty()) {
    // A rule fires on this address's flags only: a neighbour's AUTISM flag
    // must not send a clinician to this call on its own.
    std::vector<std::string> codes;
    for (const auto& f : visible.flags)
      if (flag_level(visible, f) == cache::MatchLevel::exact) codes.push_back(f.code);
    auto_wanted = auto_request_matches(options_.auto_request, inc.call_type, codes);
  }

  PremisePanel panel = build_premise_panel(options_.role, st.summary, match);
  if (panel.show) {
    present(panel.doc);
    const auto flag_ids = panel.doc.flag_ids();
    if (!flag_ids.empty()) ports_.audit(inc.id, flag_ids);
    if (!st.premise_shown)
      for (const auto& line : panel.spoken) ports_.notify(MDT_NOTIFY_CAUTION, line);
    st.premise_shown = true;
  } else {
    // An update can move the incident off a flagged address: take the panels down.
    bump("unflagged");
    const bool nothing_requested = !st.request || st.request->phase == RequestPhase::ready;
    if (st.premise_shown) {
      dismiss("premise:" + inc.id);
      st.premise_shown = false;
      if (!auto_wanted) {
        if (nothing_requested) dismiss("coresponder:" + inc.id);
        ports_.forget_incident(inc.id);
      }
    }
    // Nothing on screen and nothing requested: no state to keep for a shift.
    if (!auto_wanted) {
      if (nothing_requested) incidents_.erase(inc.id);
      return;
    }
  }

  if (options_.role != config::Role::patrol) {
    save(st);
    return;
  }
  if (!st.request) st.request = RequestView{};
  st.request->fallback = options_.fallback;
  st.request->telehealth_uri = options_.telehealth_uri;
  st.request->crisis_line_uri = options_.crisis_line_uri;
  st.request->schedule_configured = options_.schedule_configured;
  st.request->reason_codes.clear();
  st.request->reason_names.clear();
  st.request->other_reason_codes.clear();
  st.request->other_reason_names.clear();
  for (const cache::Flag* f : request_reasons(visible)) {
    if (std::find(st.request->reason_codes.begin(), st.request->reason_codes.end(), f->code) !=
        st.request->reason_codes.end())
      continue;
    st.request->reason_codes.push_back(f->code);
    st.request->reason_names.push_back(f->display_name.empty() ? f->code : f->display_name);
  }
  for (const cache::Flag* f : other_request_reasons(visible)) {
    const auto& sent = st.request->reason_codes;
    const auto& other = st.request->other_reason_codes;
    if (std::find(sent.begin(), sent.end(), f->code) != sent.end() ||
        std::find(other.begin(), other.end(), f->code) != other.end())
      continue;
    const auto p = std::find_if(visible.premises.begin(), visible.premises.end(),
                                [&](const cache::Premise& pr) { return pr.id == f->premise_id; });
    std::string name = f->display_name.empty() ? f->code : f->display_name;
    if (p != visible.premises.end()) name += " (" + premise_label(*p, flag_level(visible, *f)) + ")";
    st.request->other_reason_codes.push_back(f->code);
    st.request->other_reason_names.push_back(std::move(name));
  }
  refresh_on_duty(st, now_ms);
  if (auto_wanted && st.request->phase == RequestPhase::ready && !restoring_) {
    bump("requests_automatic");
    send_request(st, now_ms, true);
    return;
  }
  refresh_request_panel(st);
  save(st);
}

LocalTime Pipeline::local_time(int64_t now_ms) const {
  if (options_.local_time) return options_.local_time(now_ms);
  // now_ms is a monotonic clock for timeouts; shifts follow the wall clock.
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  return {(tm.tm_wday + 6) % 7, tm.tm_hour * 60 + tm.tm_min};
}

int64_t Pipeline::wall_ms() const {
  if (options_.wall_ms) return options_.wall_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool Pipeline::refresh_on_duty(IncidentState& st, int64_t now_ms) {
  if (!st.request || (!options_.schedule_configured && live_states_.empty())) return false;
  const RequestPhase p = st.request->phase;
  if (p != RequestPhase::ready && p != RequestPhase::sent && p != RequestPhase::declined &&
      p != RequestPhase::no_coresponder && p != RequestPhase::timed_out &&
      p != RequestPhase::not_sent)
    return false;
  RosterInputs in;
  if (options_.schedule_configured) in.schedule = &options_.schedule;
  in.local = local_time(now_ms);
  in.positions = &unit_positions_;
  in.live = &live_states_;
  in.incident = st.where;
  in.speed_mps = options_.eta_speed_mps;
  in.now_ms = now_ms;
  in.wall_ms = wall_ms();
  in.stale_after_ms = int64_t{options_.state_stale_s} * 1000;
  auto now = coresponder_roster(in);
  const bool live = !live_states_.empty();
  if (now == st.request->on_duty && live == st.request->live_states) return false;
  st.request->on_duty = std::move(now);
  st.request->live_states = live;
  return true;
}

void Pipeline::refresh_requests(int64_t now_ms) {
  for (auto& [id, st] : incidents_)
    if (refresh_on_duty(st, now_ms)) refresh_request_panel(st);
}

void Pipeline::on_coresponder_state(const bridge::CoresponderState& m, int64_t now_ms) {
  if (m.unit == options_.unit_id) return;  // our own word, relayed back
  LiveState st;
  st.state = m.state;
  st.name = m.name;
  st.free_at_ms = parse_utc_text(m.free_at);
  st.heard_ms = now_ms;
  st.heard_wall_ms = wall_ms();
  bump("unit_states");
  if (options_.role != config::Role::patrol) return;  // only an officer's panel lists them
  live_states_[m.unit] = st;
  ports_.remember_incident(unit_state_journal_key(m.unit),
                           to_json(UnitStateRecord{m.unit, false, st.state, st.name, st.free_at_ms,
                                                   st.heard_wall_ms, false}));
  refresh_requests(now_ms);
}

void Pipeline::on_dispatch_request(const bridge::CoresponderRequest& m, int64_t now_ms) {
  auto offer = offer_from_request(m);
  if (!offer || offer->view.incident_id.empty()) {
    bump("dropped.bad_request");
    return;
  }
  const std::string rid = offer->view.request_id;
  auto it = incidents_.find(offer->view.incident_id);
  if (it == incidents_.end()) {
    // A call this car shows no panel for (unflagged, or not here yet): the
    // request itself says what the call is.
    IncidentState fresh;
    const auto& v = offer->view;
    fresh.summary = {v.incident_id, v.call_type, 0, display_address(offer->location),
                     v.dispatched_ms ? v.dispatched_ms : std::optional<int64_t>(wall_ms()), false};
    fresh.location = offer->location;
    if (offer->location.lat && offer->location.lon) fresh.where = LatLon{*offer->location.lat, *offer->location.lon};
    fresh.request = RequestView{};
    fresh.request->fallback = options_.fallback;
    fresh.request->telehealth_uri = options_.telehealth_uri;
    fresh.request->crisis_line_uri = options_.crisis_line_uri;
    fresh.request->schedule_configured = options_.schedule_configured;
    it = incidents_.emplace(v.incident_id, std::move(fresh)).first;
  }
  IncidentState& st = it->second;
  if (!st.request) return;
  if (st.request_id == rid) return;  // a repeat
  RequestView& v = *st.request;
  const bool standing = !st.request_id.empty() && (v.phase == RequestPhase::sent || v.phase == RequestPhase::accepted ||
                                                 v.phase == RequestPhase::en_route || v.phase == RequestPhase::on_scene);
  if (standing) {
    // The officer already asked: dispatch's request runs beside it; the
    // panel keeps following the officer's.
    bump("dispatch_requests_ignored");
    return;
  }
  st.request_id = rid;
  v.phase = RequestPhase::sent;
  v.dispatch_asked = true;
  v.automatic = false;
  v.by_unit.clear();
  v.by_name.clear();
  v.eta_s.reset();
  st.request_sent_ms = now_ms;
  const auto at = parse_utc_text(m.requested_at);
  ports_.stamp_outcome({rid, st.summary.id, options_.unit_id, OutcomeStep::requested, at ? *at : wall_ms(), "dispatch"});
  bump("outcome_stamps.requested");
  bump("dispatch_requests");
  refresh_on_duty(st, now_ms);
  refresh_request_panel(st);
  save(st);
  ports_.notify(MDT_NOTIFY_INFO, "Dispatch asked for a co-responder on " + st.summary.id);
}

void Pipeline::on_unit_location(const bridge::UnitLocation& m, int64_t now_ms) {
  const std::string& unit = m.unit;
  const auto lat = m.lat;
  const auto lon = m.lon;
  if (unit.empty() || !lat || !lon || *lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) {
    bump("dropped.bad_unit_location");
    return;
  }
  // Only the units a schedule names or that sent a live state are kept:
  // the map stays as small as the roster.
  const bool scheduled = std::any_of(options_.schedule.begin(), options_.schedule.end(),
                                     [&](const config::DutyShift& s) { return s.unit == unit; });
  if (!scheduled && live_states_.count(unit) == 0) return;
  unit_positions_[unit] = UnitPosition{{*lat, *lon}, now_ms};
  bump("unit_locations");
  for (auto& [id, st] : incidents_)
    if (refresh_on_duty(st, now_ms)) refresh_request_panel(st);
}

void Pipeline::save(const IncidentState& st) {
  ports_.remember_incident(st.summary.id,
                           to_json(IncidentRecord{st.summary, st.location, st.request_id, st.request}));
}

void Pipeline::save(const OfferState& st) {
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

void Pipeline::restore_offer(OfferRecord record, int64_t /*now_ms*/) {
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

void Pipeline::restore(const std::string& record_json, int64_t now_ms) {
  if (auto unit_state = unit_state_record_from_json(record_json)) {
    if (unit_state->own) {
      if (options_.role != config::Role::coresponder) return;
      own_state_ = {unit_state->state, unit_state->free_at_ms, unit_state->automatic};
      own_state_set_wall_ms_ = unit_state->heard_wall_ms;
      own_state_unsent_ = true;  // CAD and the officers hear it again at the first tick
      bump("availability_restored");
    } else if (options_.role == config::Role::patrol) {
      // Its age goes with it: a state heard before the restart is no fresher for it.
      const int64_t age = std::max<int64_t>(0, wall_ms() - unit_state->heard_wall_ms);
      live_states_[unit_state->unit] = LiveState{unit_state->state, unit_state->name, unit_state->free_at_ms,
                                                 now_ms - age, unit_state->heard_wall_ms};
      bump("unit_states_restored");
    }
    return;
  }
  if (auto offer = offer_record_from_json(record_json)) {
    restore_offer(std::move(*offer), now_ms);
    return;
  }
  const auto record = incident_record_from_json(record_json);
  if (!record) {
    bump("journal.unreadable");
    return;
  }
  // A call whose clear never reached the car would otherwise pop at every
  // start, forever. A record without a dispatch time predates this rule.
  const int64_t max_age_ms = int64_t{options_.incident_max_age_h} * 3600 * 1000;
  if (!record->summary.dispatched_ms || wall_ms() - *record->summary.dispatched_ms > max_age_ms) {
    bump("journal.expired");
    ports_.forget_incident(record->summary.id);
    return;
  }
  const bridge::Incident inc{record->summary.id, record->summary.call_type,
                            record->summary.priority, {}, {options_.unit_id}, record->location};
  restoring_ = true;
  restoring_dispatched_ms_ = record->summary.dispatched_ms;
  on_incident(inc, true, {}, now_ms);
  restoring_ = false;
  bump("incidents_restored");
  auto it = incidents_.find(record->summary.id);
  if (it == incidents_.end() || !it->second.request || !record->request) return;
  IncidentState& st = it->second;
  st.request_id = record->request_id;
  st.request->phase = record->request->phase;
  st.request->by_unit = record->request->by_unit;
  st.request->by_name = record->request->by_name;
  st.request->eta_s = record->request->eta_s;
  st.request->automatic = record->request->automatic;
  st.request->dispatch_asked = record->request->dispatch_asked;
  st.request->handoff = record->request->handoff;
  st.request->handoff_ms = record->request->handoff_ms;
  st.request_sent_ms = now_ms;  // the acceptance clock starts again
  // Later requests must not reuse this one's id.
  const auto dash = st.request_id.rfind('-');
  if (dash != std::string::npos)
    request_counter_ = std::max<uint64_t>(request_counter_,
                                          std::strtoull(st.request_id.c_str() + dash + 1, nullptr, 10));
  refresh_request_panel(st);
  save(st);
}

void Pipeline::refresh_request_panel(const IncidentState& st) {
  if (st.request) present(build_request_panel(st.summary, *st.request));
}

void Pipeline::withdraw_request(IncidentState& st) {
  if (!st.request) return;
  const RequestPhase p = st.request->phase;
  const bool standing = p == RequestPhase::sent || p == RequestPhase::accepted ||
                        p == RequestPhase::en_route || p == RequestPhase::on_scene;
  if (standing) {
    // The clinician units it was offered to must hear that it is off,
    // or one may drive to a call that no longer exists.
    ports_.send(bridge::CoresponderStatus{st.request_id, st.summary.id, "cancelled", {}, {}, {}});
    bump("requests_cancelled");
  }
  st.request->phase = RequestPhase::cancelled;
}

void Pipeline::on_incident_closed(const std::string& incident_id) {
  auto it = incidents_.find(incident_id);
  if (it != incidents_.end()) {
    withdraw_request(it->second);
    ports_.forget_incident(incident_id);
    dismiss("premise:" + incident_id);
    dismiss("coresponder:" + incident_id);
    incidents_.erase(it);
    bump("incidents_closed");
  }
  for (auto& [rid, offer] : offers_) {
    if (offer.view.incident_id != incident_id) continue;
    if (offer.view.phase == OfferPhase::offered) {
      offer.view.phase = OfferPhase::cancelled;
      present(build_offer_panel(offer.view, offer.match));
      save(offer);
    }
  }
}

void Pipeline::on_coresponder_request(const bridge::CoresponderRequest& m, const std::string& topic,
                                      int64_t now_ms) {
  if (options_.role != config::Role::coresponder) {
    // On a patrol car a request comes only from dispatch, for its own call.
    if (topic == "unit." + options_.unit_id) on_dispatch_request(m, now_ms);
    return;
  }
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

void Pipeline::on_coresponder_status(const bridge::CoresponderStatus& m) {
  const std::string& rid = m.request_id;
  const std::string& state = m.state;
  if (options_.role == config::Role::coresponder) {
    auto it = offers_.find(rid);
    if (it == offers_.end()) return;
    if (state == "taken" || state == "cancelled") {
      it->second.view.phase = state == "taken" ? OfferPhase::taken : OfferPhase::cancelled;
      present(build_offer_panel(it->second.view, it->second.match));
      save(it->second);
    }
    return;
  }
  for (auto& [id, st] : incidents_) {
    if (st.request_id != rid || !st.request) continue;
    RequestView& v = *st.request;
    static const std::map<std::string, RequestPhase> phases = {
        {"accepted", RequestPhase::accepted},   {"declined", RequestPhase::declined},
        {"no_coresponder", RequestPhase::no_coresponder},
        {"en_route", RequestPhase::en_route},   {"on_scene", RequestPhase::on_scene},
        {"cleared", RequestPhase::cleared}};
    auto phase = phases.find(state);
    if (phase == phases.end()) return;
    v.phase = phase->second;
    static const std::map<std::string, OutcomeStep> steps = {
        {"accepted", OutcomeStep::accepted}, {"en_route", OutcomeStep::en_route},
        {"on_scene", OutcomeStep::on_scene}, {"cleared", OutcomeStep::cleared}};
    if (auto step = steps.find(state); step != steps.end()) stamp(rid, st.summary.id, step->second);
    if (!m.by_unit.empty()) v.by_unit = m.by_unit;
    if (!m.by_name.empty()) v.by_name = m.by_name;
    if (m.eta_s) v.eta_s = *m.eta_s;
    bump("request_status." + state);
    refresh_request_panel(st);
    save(st);
    if (v.phase == RequestPhase::accepted)
      ports_.notify(MDT_NOTIFY_INFO, "Co-responder " + (v.by_name.empty() ? v.by_unit : v.by_name) +
                                         " accepted");
    return;
  }
}

Status Pipeline::on_user_action(const std::string& panel_id, const std::string& action,
                                int64_t now_ms, const std::string& payload_json) {
  bump("user_actions");
  if (action == "dismiss") {
    dismiss(panel_id);
    return Ok{};
  }
  const auto colon = panel_id.find(':');
  const std::string kind = panel_id.substr(0, colon);
  const std::string key = colon == std::string::npos ? "" : panel_id.substr(colon + 1);
  if (kind == "coresponder") {
    auto it = incidents_.find(key);
    if (it != incidents_.end()) return on_request_action(it->second, action, now_ms);
  } else if (kind == "offer") {
    auto it = offers_.find(key);
    if (it != offers_.end()) return on_offer_action(it->second, action, now_ms, payload_json);
  } else if (kind == "availability" && options_.role == config::Role::coresponder) {
    return on_availability_action(action, now_ms, payload_json);
  }
  return make_error("plugin.unknown_panel", "no open panel '" + panel_id + "' takes action '" +
                                                action + "'");
}

void Pipeline::send_request(IncidentState& st, int64_t now_ms, bool automatic) {
  RequestView& v = *st.request;
  st.request_id = options_.unit_id + "-" + st.summary.id + "-" + std::to_string(++request_counter_);
  bridge::CoresponderRequest req;
  req.request_id = st.request_id;
  req.incident_id = st.summary.id;
  req.call_type = st.summary.call_type;
  req.priority = st.summary.priority;
  req.address = st.summary.address;
  if (st.summary.dispatched_ms) req.dispatched_at = dispatch_time_rfc3339(*st.summary.dispatched_ms);
  if (st.where) {
    req.lat = st.where->lat;
    req.lon = st.where->lon;
  }
  req.reasons = v.reason_codes;
  req.automatic = automatic;
  // The clinician's outcome record counts from the officer's request, not
  // from when the offer reached the clinician.
  const int64_t requested_ms = wall_ms();
  const std::string requested_by = automatic ? "auto_rule" : "officer";
  req.requested_at = utc_text(requested_ms);
  req.requested_by = requested_by;
  const Sent sent = ports_.send(req);
  v.automatic = automatic;
  if (sent == Sent::failed) {
    // Never "waiting" for a request CAD does not have, nor a later
    // "nobody accepted" about it: the officer must know to use the radio.
    v.phase = RequestPhase::not_sent;
    bump("requests_not_sent");
    refresh_request_panel(st);
    save(st);
    return;
  }
  v.phase = RequestPhase::sent;
  ports_.stamp_outcome({st.request_id, st.summary.id, options_.unit_id, OutcomeStep::requested,
                        requested_ms, requested_by});
  bump("outcome_stamps.requested");
  v.not_kept = sent == Sent::not_kept;
  if (v.not_kept) bump("requests_not_kept");
  v.by_unit.clear();
  v.by_name.clear();
  v.eta_s.reset();
  st.request_sent_ms = now_ms;
  bump("requests_sent");
  refresh_request_panel(st);
  save(st);
}

Status Pipeline::on_request_action(IncidentState& st, const std::string& action, int64_t now_ms) {
  if (!st.request) return make_error("plugin.bad_action", "no request on this incident");
  if (action == "request_coresponder") {
    send_request(st, now_ms, false);
    return Ok{};
  }
  if (action.rfind("handoff_", 0) == 0 && is_handoff(action.substr(8))) return on_handoff(st, action.substr(8));
  if (action == "add_other_reasons") {
    RequestView& v = *st.request;
    v.reason_codes.insert(v.reason_codes.end(), v.other_reason_codes.begin(), v.other_reason_codes.end());
    v.reason_names.insert(v.reason_names.end(), v.other_reason_names.begin(), v.other_reason_names.end());
    v.other_reason_codes.clear();
    v.other_reason_names.clear();
    bump("request_reasons_added");
    refresh_request_panel(st);
    save(st);
    return Ok{};
  }
  if (action != "cancel_request")
    return make_error("plugin.bad_action", "request panel has no action '" + action + "'");
  withdraw_request(st);
  refresh_request_panel(st);
  save(st);
  return Ok{};
}

Status Pipeline::on_offer_action(OfferState& st, const std::string& action, int64_t now_ms,
                                 const std::string& payload_json) {
  OfferView& v = st.view;
  if (is_disposition(action)) {
    if (v.phase != OfferPhase::cleared)
      return make_error("plugin.bad_action", "an outcome is filed after clearing the call");
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
        return make_error("plugin.bad_outcome_code",
                          f.id + " = '" + code + "': expected one of " + expected);
      }
      o.codes[f.id] = code;
    }
    if (auto st_ = ports_.record_outcome(std::move(o)); !st_) return st_;
    v.outcome = action;
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
    ports_.send(bridge::CoresponderStatus{v.request_id, v.incident_id, action == "clear" ? "cleared" : action, {}, {}, {}});
    v.phase = action == "en_route"   ? OfferPhase::en_route
              : action == "on_scene" ? OfferPhase::on_scene
                                     : OfferPhase::cleared;
    stamp(v.request_id, v.incident_id,
          action == "en_route"   ? OutcomeStep::en_route
          : action == "on_scene" ? OutcomeStep::on_scene
                                 : OutcomeStep::cleared);
    // Free again, unless the clinician set the state by hand meanwhile.
    if (action == "clear" && own_state_.state == "busy" && own_state_.automatic)
      set_own_state("available", std::nullopt, true, now_ms);
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

void Pipeline::on_tick(int64_t now_ms) {
  // A panel the host refused is offered again each tick until it is up.
  for (auto pending = refused_; auto& [id, doc] : pending) present(doc);
  if (options_.role == config::Role::coresponder) {
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
  // Shifts begin and end and positions go stale while a panel is up.
  for (auto& [id, st] : incidents_)
    if (refresh_on_duty(st, now_ms)) refresh_request_panel(st);
  for (auto& [id, st] : incidents_) {
    if (!st.request || st.request->phase != RequestPhase::sent) continue;
    if (now_ms - st.request_sent_ms < int64_t{options_.accept_timeout_s} * 1000) continue;
    st.request->phase = RequestPhase::timed_out;
    bump("requests_timed_out");
    refresh_request_panel(st);
    save(st);
    ports_.notify(MDT_NOTIFY_CAUTION, "No co-responder accepted - next steps on screen");
  }
}

Status Pipeline::on_handoff(IncidentState& st, const std::string& which) {
  RequestView& v = *st.request;
  // A hand-off without a request still needs a record to land in.
  if (st.request_id.empty())
    st.request_id = options_.unit_id + "-" + st.summary.id + "-" + std::to_string(++request_counter_);
  const int64_t at = wall_ms();
  if (v.handoff.empty()) {
    v.handoff = which;
    v.handoff_ms = at;
  }
  OutcomeStamp s{st.request_id, st.summary.id, options_.unit_id, OutcomeStep::handed_off, at, {}};
  s.handoff = which;
  ports_.stamp_outcome(s);
  bump("outcome_stamps.handed_off");
  bump("handoffs." + which);
  refresh_request_panel(st);
  save(st);
  return Ok{};
}

Status Pipeline::on_availability_action(const std::string& action, int64_t now_ms,
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

void Pipeline::set_own_state(const std::string& state, std::optional<int64_t> free_at_ms, bool automatic,
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

void Pipeline::send_own_state(int64_t now_ms) {
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
  present(doc);
  shown = true;
}

void Pipeline::clear_status(const std::string& id, bool& shown) {
  if (shown) dismiss(id);
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
  position_ = LatLon{*fix.lat, *fix.lon};
  position_ms_ = now_ms;
  // AVL: report on an interval, or sooner after a real move.
  const bool due = !last_avl_ || now_ms - last_avl_ms_ >= int64_t{options_.avl_interval_s} * 1000 ||
                   distance_m(*last_avl_, *position_) >= options_.avl_distance_m;
  if (!due) return;
  if (ports_.send(bridge::Avl{position_->lat, position_->lon, fix.speed_mps, fix.course_deg, {}}) == Sent::failed) {
    bump("avl_dropped");  // the next fix tries again
    return;
  }
  last_avl_ = position_;
  last_avl_ms_ = now_ms;
  bump("avl_sent");
}

}  // namespace mdtc::plugin
