#include "coresponder_panels.h"

#include "incident_header.h"
#include "outcome_codes.h"

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

// Who could come, nearest first: the officer decides to ask knowing that.
PanelSection on_duty_section(const RequestView& v) {
  PanelSection s{"on_duty", "ON DUTY NOW", Severity::info, {}, {}};
  if (v.on_duty.empty()) {
    s.severity = Severity::warning;
    s.fields.push_back({"Schedule", "No co-responder scheduled now", Severity::warning, {}, {}});
    // A failed request already shows the fallback in its status.
    const bool waiting = v.phase == RequestPhase::ready || v.phase == RequestPhase::sent;
    if (waiting && !v.fallback.empty()) s.fields.push_back({"Fallback", v.fallback, Severity::warning, {}, {}});
    return s;
  }
  for (const auto& u : v.on_duty) {
    s.fields.push_back({u.name.empty() ? u.unit : u.name,
                        u.distance_m ? distance_text(*u.distance_m, u.eta_s) : "position unknown",
                        Severity::info, {}, {}});
  }
  return s;
}

}  // namespace

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
  if (!v.reason_names.empty())
    status.fields.push_back({"Reasons", join(v.reason_names), Severity::info, {}, {}});
  if (!v.other_reason_names.empty())
    status.fields.push_back({"Not sent (other premises)", join(v.other_reason_names), Severity::info, {}, {}});
  std::string state;
  Severity sev = Severity::info;
  switch (v.phase) {
    case RequestPhase::ready: state = "Not requested"; break;
    case RequestPhase::sent:
      state = v.automatic ? "Requested automatically - waiting for a clinician unit"
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
              : v.phase == RequestPhase::no_coresponder ? "No clinician unit on duty"
                                                        : "Nobody accepted in time";
      sev = Severity::warning;
      break;
  }
  status.fields.push_back({"Status", state, sev, {}, {}});
  const bool failed = v.phase == RequestPhase::declined || v.phase == RequestPhase::no_coresponder ||
                      v.phase == RequestPhase::timed_out || v.phase == RequestPhase::not_sent;
  if (failed && !v.fallback.empty())
    status.fields.push_back({"Fallback", v.fallback, Severity::warning, {}, {}});
  doc.severity = sev;
  doc.sections.push_back(std::move(status));
  const bool open = v.phase == RequestPhase::ready || v.phase == RequestPhase::sent || failed;
  if (v.schedule_configured && open) doc.sections.push_back(on_duty_section(v));

  // Another premise's care flags go with a request only by the officer's hand.
  const bool can_add = !v.other_reason_codes.empty() && (v.phase == RequestPhase::ready || failed);
  switch (v.phase) {
    case RequestPhase::ready:
      doc.actions.push_back({"request_coresponder", "Request co-responder", "primary"});
      break;
    case RequestPhase::sent:
    case RequestPhase::accepted:
    case RequestPhase::en_route:
      doc.actions.push_back({"cancel_request", "Cancel request", "default"});
      break;
    case RequestPhase::declined:
    case RequestPhase::no_coresponder:
    case RequestPhase::timed_out:
    case RequestPhase::not_sent:
      doc.actions.push_back({"request_coresponder", "Ask again", "primary"});
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
  doc.sections.push_back(std::move(req));

  // Clinician-level detail comes from the clinician's own cache, never from CAD.
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

}  // namespace mdtc::plugin
