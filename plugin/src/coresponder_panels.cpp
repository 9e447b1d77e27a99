#include "coresponder_panels.h"

#include "incident_header.h"
#include "outcome_codes.h"
#include "mdtc/time_text.h"

#include <algorithm>
#include <cmath>

namespace mdtc::plugin {
namespace {

std::string join(const std::vector<std::string>& items, const char* sep = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

std::string minutes(int seconds) { return std::to_string((seconds + 59) / 60) + " min"; }

// "850 m, about 2 min" / "2.3 km, about 4 min"
std::string distance_text(double metres, std::optional<int> eta_s) {
  return cache::distance_text(metres) + (eta_s ? ", about " + minutes(*eta_s) : std::string());
}

std::string unit_label(const OnDutyUnit& u) { return u.name.empty() ? u.unit : u.name; }

std::string where_text(const OnDutyUnit& u) {
  return u.distance_m ? distance_text(*u.distance_m, u.eta_s) : "position unknown";
}

std::string state_word(const std::string& state) {
  if (state == "available") return "available";
  if (state == "busy") return "busy";
  if (state == "telehealth") return "telehealth only";
  return state;
}

// Who could come: live states first, the schedule for units that sent none.
// The officer decides to ask knowing that.
PanelSection on_duty_section(const RequestView& v) {
  PanelSection s{"on_duty", "ON DUTY NOW", Severity::info, {}, {}};
  if (v.on_duty.empty()) {
    s.severity = Severity::warning;
    s.fields.push_back({"Schedule", v.live_states ? "No co-responder on duty now" : "No co-responder scheduled now",
                        Severity::warning, {}, {}});
    return s;
  }
  for (const auto& u : v.on_duty) {
    std::string value;
    Severity sev = Severity::info;
    switch (u.standing) {
      case Standing::available: value = "Available - " + where_text(u); break;
      case Standing::busy:
        // A free time already passed is not "free in 0 min": the unit has
        // not said it is free.
        value = !u.free_in_min    ? "Busy - free time not given"
                : *u.free_in_min > 0 ? "Busy - free in about " + std::to_string(*u.free_in_min) + " min"
                                     : "Busy - was due free by now";
        break;
      case Standing::telehealth: value = "Telehealth only"; break;
      case Standing::scheduled: value = "Scheduled - " + where_text(u); break;
      case Standing::stale:
        // Silence is not availability: say how old the word is.
        // In seconds under a minute (a stale limit set that short): "0 min"
        // read as "just now".
        value = "No word for " +
                (u.silent_s < 60 ? std::to_string(u.silent_s) + " s" : std::to_string(u.silent_s / 60) + " min") +
                " (last said " + state_word(u.last_state) + ")";
        sev = Severity::caution;
        break;
    }
    s.fields.push_back({unit_label(u), value, sev, {}, {}});
  }
  return s;
}

// Where the officer goes when nobody can come; always on the panel, so the
// officer never has to ask what next.
PanelSection next_step_section(const RequestView& v, bool leading, bool failed) {
  const Severity sev = leading || failed ? Severity::warning : Severity::info;
  PanelSection s{"next_step", "IF NO CO-RESPONDER CAN COME", sev, {}, {}};
  if (failed) s.fields.push_back({"Status", "No co-responder is coming - use one of these", sev, {}, {}});
  else if (leading) s.fields.push_back({"Status", "No co-responder available now", sev, {}, {}});
  if (!v.telehealth_uri.empty())
    s.fields.push_back({"Telehealth", v.telehealth_uri, sev, {}, {}});
  if (!v.crisis_line_uri.empty())
    s.fields.push_back({"Crisis line", v.crisis_line_uri, sev, {}, {}});
  if (!v.fallback.empty()) s.fields.push_back({"Fallback", v.fallback, sev, {}, {}});
  // The configuration never leaves the fallback empty; should a host's
  // options do so, the panel still names a step rather than none.
  if (v.telehealth_uri.empty() && v.crisis_line_uri.empty() && v.fallback.empty())
    s.fields.push_back({"Fallback", "Ask dispatch by radio", sev, {}, {}});
  if (!v.handoff.empty())
    s.fields.push_back({"Handed off", v.handoff == "telehealth"    ? "Telehealth"
                                      : v.handoff == "crisis_line" ? "Crisis line"
                                                                   : "Fallback",
                        Severity::info, {}, {}});
  return s;
}

// "Video telehealth" / "Phone telehealth" / "Softphone telehealth"
std::string link_label(const std::string& what, const std::string& uri) {
  const bool phone = uri.rfind("tel:", 0) == 0;
  const bool sip = uri.rfind("sip", 0) == 0;
  return (phone ? "Call " : sip ? "Call " : "Open ") + what;
}

void add_handoff_actions(const RequestView& v, std::vector<PanelAction>& out, bool primary_first) {
  bool first = true;
  const auto style = [&] {
    const char* st = primary_first && first ? "primary" : "default";
    first = false;
    return st;
  };
  if (!v.telehealth_uri.empty())
    out.push_back({"handoff_telehealth", link_label("telehealth", v.telehealth_uri), style(), v.telehealth_uri});
  if (!v.crisis_line_uri.empty())
    out.push_back({"handoff_crisis_line", link_label("crisis line", v.crisis_line_uri), style(), v.crisis_line_uri});
  if (!v.fallback.empty() && v.telehealth_uri.empty() && v.crisis_line_uri.empty())
    out.push_back({"handoff_fallback", "Used the fallback", style()});
}

}  // namespace

bool is_handoff(const std::string& id) {
  for (const char* h : kHandoffs)
    if (id == h) return true;
  return false;
}

bool someone_available(const RequestView& v) {
  for (const auto& u : v.on_duty)
    if (u.standing == Standing::available || u.standing == Standing::scheduled) return true;
  return false;
}

const char* to_string(RequestPhase p) {
  switch (p) {
    case RequestPhase::ready: return "ready";
    case RequestPhase::sent: return "sent";
    case RequestPhase::accepted: return "accepted";
    case RequestPhase::declined: return "declined";
    case RequestPhase::no_coresponder: return "no_coresponder";
    case RequestPhase::timed_out: return "timed_out";
    case RequestPhase::en_route: return "en_route";
    case RequestPhase::on_scene: return "on_scene";
    case RequestPhase::cleared: return "cleared";
    case RequestPhase::cancelled: return "cancelled";
    case RequestPhase::not_sent: return "not_sent";
  }
  return "ready";
}

const char* to_string(OfferPhase p) {
  switch (p) {
    case OfferPhase::offered: return "offered";
    case OfferPhase::accepted: return "accepted";
    case OfferPhase::declined: return "declined";
    case OfferPhase::taken: return "taken";
    case OfferPhase::en_route: return "en_route";
    case OfferPhase::on_scene: return "on_scene";
    case OfferPhase::cleared: return "cleared";
    case OfferPhase::cancelled: return "cancelled";
  }
  return "offered";
}

namespace {
std::vector<const cache::Flag*> care_reasons(const cache::MatchResult& m, bool this_address) {
  std::vector<const cache::Flag*> out;
  for (const auto& f : m.flags)
    if (f.kind == cache::FlagKind::care && f.audience == cache::Audience::all &&
        (flag_level(m, f) == cache::MatchLevel::exact) == this_address)
      out.push_back(&f);
  return out;
}
}  // namespace

std::vector<const cache::Flag*> request_reasons(const cache::MatchResult& m) { return care_reasons(m, true); }
std::vector<const cache::Flag*> other_request_reasons(const cache::MatchResult& m) {
  return care_reasons(m, false);
}

PanelDocument build_request_panel(const IncidentSummary& incident, const RequestView& v) {
  PanelDocument doc;
  doc.id = "coresponder:" + incident.id;
  doc.kind = "coresponder_request";
  doc.incident_id = incident.id;
  doc.title = "CO-RESPONDER";
  doc.subtitle = incident.call_type + " - " + incident.address;
  doc.sections.push_back(incident_section(incident));

  PanelSection status{"request", "REQUEST", Severity::info, {}, {}};
  if (v.dispatch_asked) status.fields.push_back({"Asked by", "Dispatch", Severity::info, {}, {}});
  if (!v.reason_names.empty())
    status.fields.push_back({"Reasons", join(v.reason_names), Severity::info, {}, {}});
  if (!v.other_reason_names.empty())
    status.fields.push_back({"Not sent (other premises)", join(v.other_reason_names), Severity::info, {}, {}});
  std::string state;
  Severity sev = Severity::info;
  switch (v.phase) {
    case RequestPhase::ready: state = "Not requested"; break;
    case RequestPhase::sent:
      state = v.dispatch_asked ? "Requested by dispatch - waiting for a clinician unit"
              : v.automatic    ? "Requested automatically - waiting for a clinician unit"
                               : "Requested - waiting for a clinician unit";
      // CAD has it, but a restart of the MDT now would forget it was asked.
      if (v.not_kept) state += " (storage full: not kept if the MDT restarts)";
      break;
    case RequestPhase::not_sent:
      state = "NOT SENT - CAD did not get this request; ask dispatch by radio";
      sev = Severity::warning;
      break;
    case RequestPhase::accepted:
      state = "Accepted by " + (v.by_name.empty() ? v.by_unit : v.by_name + " (" + v.by_unit + ")") +
              (v.eta_s ? ", ETA " + minutes(*v.eta_s) : std::string());
      sev = Severity::caution;
      break;
    case RequestPhase::en_route:
      state = (v.by_name.empty() ? v.by_unit : v.by_name) + " en route" +
              (v.eta_s ? ", ETA " + minutes(*v.eta_s) : std::string());
      sev = Severity::caution;
      break;
    case RequestPhase::on_scene:
      state = (v.by_name.empty() ? v.by_unit : v.by_name) + " on scene";
      break;
    case RequestPhase::cleared: state = "Co-responder cleared"; break;
    case RequestPhase::cancelled: state = "Request cancelled"; break;
    case RequestPhase::declined:
    case RequestPhase::no_coresponder:
    case RequestPhase::timed_out:
      state = v.phase == RequestPhase::declined         ? "Declined by every clinician unit on duty"
              : v.phase == RequestPhase::no_coresponder ? "No clinician unit free now"
                                                        : "Nobody accepted in time";
      sev = Severity::warning;
      break;
  }
  status.fields.push_back({"Status", state, sev, {}, {}});
  const bool failed = v.phase == RequestPhase::declined || v.phase == RequestPhase::no_coresponder ||
                      v.phase == RequestPhase::timed_out || v.phase == RequestPhase::not_sent;
  const bool open = v.phase == RequestPhase::ready || v.phase == RequestPhase::sent || failed;
  const bool listed = v.schedule_configured || v.live_states;
  // Nobody can come in person (as far as the car knows): the next steps lead.
  const bool nobody = open && listed && !someone_available(v);
  const bool leading = open && (failed || nobody);
  if (leading) {
    doc.sections.push_back(next_step_section(v, nobody, failed));
    sev = Severity::warning;
  }
  doc.severity = sev;
  doc.sections.push_back(std::move(status));
  if (listed && open) doc.sections.push_back(on_duty_section(v));
  if (open && !leading) doc.sections.push_back(next_step_section(v, false, false));

  // Action order keeps an undo from landing where the officer just tapped:
  // "Cancel request" never takes the place "Request" had, so a second tap
  // on a slow screen hides the panel instead of withdrawing the request.
  const bool can_add = !v.other_reason_codes.empty() && (v.phase == RequestPhase::ready || failed);
  switch (v.phase) {
    case RequestPhase::ready:
      if (leading) {
        add_handoff_actions(v, doc.actions, true);
        doc.actions.push_back({"request_coresponder", "Request co-responder anyway", "default"});
      } else {
        doc.actions.push_back({"request_coresponder", "Request co-responder", "primary"});
        add_handoff_actions(v, doc.actions, false);
      }
      break;
    case RequestPhase::sent:
      doc.actions.push_back({"dismiss", "Hide", "default"});
      add_handoff_actions(v, doc.actions, leading);
      doc.actions.push_back({"cancel_request", "Cancel request", "default"});
      break;
    case RequestPhase::accepted:
    case RequestPhase::en_route:
      doc.actions.push_back({"dismiss", "Hide", "default"});
      doc.actions.push_back({"cancel_request", "Cancel request", "default"});
      break;
    case RequestPhase::declined:
    case RequestPhase::no_coresponder:
    case RequestPhase::timed_out:
    case RequestPhase::not_sent:
      add_handoff_actions(v, doc.actions, true);
      doc.actions.push_back({"request_coresponder", "Ask again", doc.actions.empty() ? "primary" : "default"});
      doc.actions.push_back({"dismiss", "Dismiss", "default"});
      break;
    default:
      doc.actions.push_back({"dismiss", "Dismiss", "default"});
  }
  if (can_add) doc.actions.push_back({"add_other_reasons", "Add other premises' reasons", "default"});
  return doc;
}

PanelDocument build_offer_panel(const OfferView& o, const cache::MatchResult& match) {
  PanelDocument doc;
  doc.id = "offer:" + o.request_id;
  doc.kind = "coresponder_offer";
  doc.incident_id = o.incident_id;
  doc.title = "CO-RESPONDER REQUEST FROM " + o.from_unit;
  doc.subtitle = o.call_type + " - " + o.address;
  doc.severity = o.phase == OfferPhase::offered ? Severity::warning : Severity::info;
  doc.sections.push_back(
      incident_section({o.incident_id, o.call_type, 0, o.address, o.dispatched_ms, o.restored}));

  PanelSection req{"request", "REQUEST", Severity::info, {}, {}};
  if (o.dispatch_asked) req.fields.push_back({"Asked by", "Dispatch", Severity::info, {}, {}});
  if (o.telehealth)
    req.fields.push_back({"Mode", "Telehealth - you said telehealth only", Severity::info, {}, {}});
  if (!o.reason_codes.empty()) {
    // Codes crossed CAD; the names come from the clinician's own vocabulary.
    std::vector<std::string> names;
    for (const auto& code : o.reason_codes) {
      auto f = std::find_if(match.flags.begin(), match.flags.end(),
                            [&](const cache::Flag& fl) { return fl.code == code; });
      names.push_back(f != match.flags.end() && !f->display_name.empty() ? f->display_name : code);
    }
    req.fields.push_back({"Reasons", join(names), Severity::info, {}, {}});
  }
  if (o.distance_m)
    req.fields.push_back({"Distance", distance_text(*o.distance_m, o.eta_s), Severity::info, {}, {}});
  static const char* phase_text[] = {"Waiting for your answer", "You accepted", "You declined",
                                     "Taken by another unit", "En route", "On scene", "Cleared",
                                     "Cancelled by the requesting unit"};
  req.fields.push_back({"Status", phase_text[static_cast<int>(o.phase)], Severity::info, {}, {}});
  if (o.officer_released) req.fields.push_back({"Officer", "Released", Severity::info, {}, {}});
  if (!o.outcome.empty())
    req.fields.push_back({"Outcome", disposition_label(o.outcome), Severity::info, {}, {}});
  else if (!o.outcome_refused.empty())
    req.fields.push_back({"Outcome", "NOT FILED - " + o.outcome_refused, Severity::warning, {}, {}});
  doc.sections.push_back(std::move(req));

  // Clinician-level detail comes from the clinician's own cache, never from
  // CAD, and stays on screen only while this unit may go or has gone: once
  // it declined, or the call went to another unit or was called off, the
  // person's history is no longer its business.
  const bool has_part = o.phase != OfferPhase::declined && o.phase != OfferPhase::taken &&
                        o.phase != OfferPhase::cancelled;
  if (has_part)
    for (auto& s : premise_sections(config::Role::coresponder, match)) doc.sections.push_back(std::move(s));

  switch (o.phase) {
    case OfferPhase::offered:
      doc.actions.push_back({"accept", "Accept", "primary"});
      doc.actions.push_back({"decline", "Decline", "default"});
      break;
    case OfferPhase::accepted: doc.actions.push_back({"en_route", "En route", "primary"}); break;
    case OfferPhase::en_route: doc.actions.push_back({"on_scene", "On scene", "primary"}); break;
    case OfferPhase::on_scene:
      doc.actions.push_back({"clear", "Clear", "primary"});
      // The officer may leave once the clinician has the scene: programs
      // report how long officers stay.
      if (!o.officer_released) doc.actions.push_back({"officer_released", "Officer released", "default"});
      break;
    case OfferPhase::cleared:
      // After clearing, the clinician files the outcome the program reports
      // on: one tap on a disposition files it, with whatever the coded
      // inputs hold (each "unknown" unless chosen) and the note.
      if (o.outcome.empty()) {
        for (const char* d : kDispositions) doc.actions.push_back({d, disposition_label(d), "default"});
        for (const auto& f : outcome_fields()) {
          if (f.id == "disposition") continue;
          PanelInput in{f.id, f.label, kUnknown, {}};
          for (const auto& c : f.codes) in.options.emplace_back(c.id, c.label);
          doc.inputs.push_back(std::move(in));
        }
        doc.inputs.push_back({"note", "Note (left out of de-identified exports)", "", {}});
      } else
        doc.actions.push_back({"dismiss", "Dismiss", "default"});
      break;
    default: doc.actions.push_back({"dismiss", "Dismiss", "default"});
  }
  return doc;
}

PanelDocument build_availability_panel(const AvailabilityView& v) {
  PanelDocument doc;
  doc.id = "availability";
  doc.kind = "coresponder_state";
  doc.title = "MY AVAILABILITY";
  std::string now = "Not set - officers see the schedule";
  if (v.state == "available") now = "Available";
  else if (v.state == "busy")
    now = v.free_at_ms ? "Busy - free about " + minute_text_utc(*v.free_at_ms) : "Busy";
  else if (v.state == "telehealth") now = "Telehealth only";
  else if (v.state == "off_duty") now = "Off duty";
  // Set by the plugin, not by a tap: accepting a call, or the call ending
  // (cleared, or taken by another unit after this one accepted).
  if (v.automatic && !v.state.empty())
    now += v.state == "busy" ? " (set when you accepted)" : " (set when your call ended)";
  doc.severity = v.state.empty() ? Severity::caution : Severity::info;
  doc.sections.push_back({"availability", "SHOWN TO OFFICERS", doc.severity,
                          {},
                          {{"State", now, doc.severity, {}, {}}}});
  // Fixed places: a tap lands on the same state again, never on its opposite.
  doc.actions = {{"state_available", "Available", v.state == "available" ? "primary" : "default"},
                 {"state_busy", "Busy", v.state == "busy" ? "primary" : "default"},
                 {"state_telehealth", "Telehealth only", v.state == "telehealth" ? "primary" : "default"},
                 {"state_off_duty", "Off duty", v.state == "off_duty" ? "primary" : "default"}};
  PanelInput free_in{"free_in_min", "Busy: free in about", "unknown", {}};
  free_in.options = {{"15", "15 min"}, {"30", "30 min"}, {"45", "45 min"}, {"60", "1 hour"},
                     {"90", "1.5 hours"}, {"120", "2 hours"}, {"unknown", "Not sure"}};
  doc.inputs.push_back(std::move(free_in));
  return doc;
}

}  // namespace mdtc::plugin
