#include "patrol_workflow.h"

#include <algorithm>
#include <cstdlib>

#include "journal_json.h"
#include "mdt_host/mdt_host_api.h"
#include "redaction.h"

namespace mdtc::plugin {

void PatrolWorkflow::open_incident(const bridge::Incident& inc, const IncidentNews& news, int64_t now_ms) {
  bump(news.recheck ? "incident_rechecks" : news.dispatch ? "dispatches" : "incident_updates");
  IncidentState& st = incidents_[inc.id];
  // When the call was dispatched: CAD's time of the dispatch (a new dispatch
  // is a new assignment); an update keeps it; the journal's on a restore.
  std::optional<int64_t> dispatched = st.summary.dispatched_ms;
  if (news.restored) {
    dispatched = news.restored_dispatched_ms;
  } else if (news.dispatch || !dispatched) {
    dispatched = bridge::parse_sent_at_ms(news.sent_at);
    if (!dispatched) dispatched = wall_ms();  // no readable CAD time: when it reached the car
  }
  // Any word from CAD about the call makes it live again, not merely restored.
  st.summary = {inc.id, inc.call_type, inc.priority, display_address(inc.location), dispatched,
                news.restored};
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
    const auto flag_ids = panel.doc.flag_ids();
    // A recheck (the cache changed, CAD said nothing) that finds the same
    // flags at the same freshness changes nothing on screen: it neither
    // updates the panel, nor brings back one the officer dismissed, nor
    // counts as a new showing to audit.
    const bool same = news.recheck && flag_ids == st.shown_flag_ids && st.shown_freshness == match.freshness;
    if (same) return;
    present(panel.doc);
    if (!flag_ids.empty()) ports_.audit(inc.id, flag_ids);
    st.shown_flag_ids = flag_ids;
    st.shown_freshness = match.freshness;
    // Each caution once per call: an update or a recheck that shows the
    // same flags says nothing again, one that brings a new flag says it.
    for (const auto& line : panel.spoken)
      if (st.spoken.insert(line).second) ports_.notify(MDT_NOTIFY_CAUTION, line);
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
    if (!auto_wanted && nothing_requested) {
      incidents_.erase(inc.id);
      return;
    }
    // A request still stands: its panel follows the call to the new address
    // below (found from outside: it kept the old address and its reasons).
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
  if (auto_wanted && st.request->phase == RequestPhase::ready && !news.restored) {
    bump("requests_automatic");
    send_request(st, now_ms, true);
    return;
  }
  refresh_request_panel(st);
  save(st);
}

bool PatrolWorkflow::refresh_on_duty(IncidentState& st, int64_t now_ms) {
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

void PatrolWorkflow::refresh_requests(int64_t now_ms) {
  for (auto& [id, st] : incidents_)
    if (refresh_on_duty(st, now_ms)) refresh_request_panel(st);
}

void PatrolWorkflow::on_coresponder_state(const bridge::CoresponderState& m, int64_t now_ms) {
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

void PatrolWorkflow::on_dispatch_request(const bridge::CoresponderRequest& m, int64_t now_ms) {
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

void PatrolWorkflow::on_unit_location(const bridge::UnitLocation& m, int64_t now_ms) {
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

void PatrolWorkflow::save(const IncidentState& st) {
  ports_.remember_incident(st.summary.id,
                           to_json(IncidentRecord{st.summary, st.location, st.request_id, st.request}));
}

void PatrolWorkflow::refresh_request_panel(const IncidentState& st) {
  if (st.request) present(build_request_panel(st.summary, *st.request));
}

void PatrolWorkflow::withdraw_request(IncidentState& st) {
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

void PatrolWorkflow::close_incident(const std::string& incident_id) {
  auto it = incidents_.find(incident_id);
  if (it != incidents_.end()) {
    withdraw_request(it->second);
    ports_.forget_incident(incident_id);
    dismiss("premise:" + incident_id);
    dismiss("coresponder:" + incident_id);
    incidents_.erase(it);
    bump("incidents_closed");
  }
}

void PatrolWorkflow::on_coresponder_status(const bridge::CoresponderStatus& m) {
  const std::string& rid = m.request_id;
  const std::string& state = m.state;
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

std::optional<Status> PatrolWorkflow::on_request_panel_action(const std::string& incident_id,
                                                              const std::string& action, int64_t now_ms) {
  auto it = incidents_.find(incident_id);
  if (it == incidents_.end()) return std::nullopt;
  return on_request_action(it->second, action, now_ms);
}

void PatrolWorkflow::send_request(IncidentState& st, int64_t now_ms, bool automatic) {
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

Status PatrolWorkflow::on_request_action(IncidentState& st, const std::string& action, int64_t now_ms) {
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

Status PatrolWorkflow::on_handoff(IncidentState& st, const std::string& which) {
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

void PatrolWorkflow::on_tick(int64_t now_ms) {
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

void PatrolWorkflow::recheck_open_incidents(int64_t now_ms) {
  std::vector<bridge::Incident> open;
  for (const auto& [id, st] : incidents_) {
    bridge::Incident inc;
    inc.id = id;
    inc.call_type = st.summary.call_type;
    inc.priority = st.summary.priority;
    inc.location = st.location;
    open.push_back(std::move(inc));
  }
  for (const auto& inc : open) {
    const IncidentState& st = incidents_.at(inc.id);
    IncidentNews news;
    news.dispatch = false;
    news.recheck = true;
    news.restored = st.summary.restored;  // as it stood: no word from CAD came
    news.restored_dispatched_ms = st.summary.dispatched_ms;
    open_incident(inc, news, now_ms);
  }
}

void PatrolWorkflow::restore_incident(const IncidentRecord& record, int64_t now_ms) {
  // A call whose clear never reached the car would otherwise pop at every
  // start, forever. A record without a dispatch time predates this rule.
  const int64_t max_age_ms = int64_t{options_.incident_max_age_h} * 3600 * 1000;
  if (!record.summary.dispatched_ms || wall_ms() - *record.summary.dispatched_ms > max_age_ms) {
    bump("journal.expired");
    ports_.forget_incident(record.summary.id);
    return;
  }
  const bridge::Incident inc{record.summary.id, record.summary.call_type,
                            record.summary.priority, {}, {options_.unit_id}, record.location};
  // The same entry a dispatch takes, told the dispatch time the journal kept
  // (and that it is no news: no second automatic request).
  open_incident(inc, IncidentNews{true, {}, true, record.summary.dispatched_ms}, now_ms);
  bump("incidents_restored");
  auto it = incidents_.find(record.summary.id);
  if (it == incidents_.end() || !it->second.request || !record.request) return;
  IncidentState& st = it->second;
  st.request_id = record.request_id;
  st.request->phase = record.request->phase;
  st.request->by_unit = record.request->by_unit;
  st.request->by_name = record.request->by_name;
  st.request->eta_s = record.request->eta_s;
  st.request->automatic = record.request->automatic;
  st.request->dispatch_asked = record.request->dispatch_asked;
  st.request->handoff = record.request->handoff;
  st.request->handoff_ms = record.request->handoff_ms;
  st.request_sent_ms = now_ms;  // the acceptance clock starts again
  // Later requests must not reuse this one's id.
  const auto dash = st.request_id.rfind('-');
  if (dash != std::string::npos)
    request_counter_ = std::max<uint64_t>(request_counter_,
                                          std::strtoull(st.request_id.c_str() + dash + 1, nullptr, 10));
  refresh_request_panel(st);
  save(st);
}

void PatrolWorkflow::restore_unit_state(const UnitStateRecord& record, int64_t now_ms) {
  // Its age goes with it: a state heard before the restart is no fresher for it.
  const int64_t age = std::max<int64_t>(0, wall_ms() - record.heard_wall_ms);
  live_states_[record.unit] =
      LiveState{record.state, record.name, record.free_at_ms, now_ms - age, record.heard_wall_ms};
  bump("unit_states_restored");
}

void PatrolWorkflow::wipe() {
  for (const auto& [id, st] : incidents_) ports_.forget_incident(id);
  incidents_.clear();
}

}  // namespace mdtc::plugin
