// The two sides of a co-responder request, as panels:
//  - the officer's request panel: reasons, one tap to ask, then who accepted
//    and their ETA, or the fallback when nobody does;
//  - the clinician's offer panel: where, why, how far, accept or decline,
//    with clinician-level detail from the clinician's own cache.
// Pure: state in, document out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "mdtc/cache.h"
#include "panel_document.h"
#include "premise_panel.h"

namespace mdtc::plugin {

// not_sent: the link refused the request (it never left this car).
enum class RequestPhase { ready, sent, accepted, declined, no_coresponder, timed_out,
                          en_route, on_scene, cleared, cancelled, not_sent };
const char* to_string(RequestPhase);

// Where a clinician unit stands, as the officer's list shows it: a live
// state the unit sent (`coresponder_state`), `scheduled` for a unit the
// schedule has on duty that has sent nothing, `stale` for a live state with
// no word for `coresponder.state_stale_s`.
enum class Standing { available, busy, telehealth, scheduled, stale };

// A co-responder unit that may answer, with how far it is from the incident
// when CAD has sent its position.
struct OnDutyUnit {
  std::string unit, name;
  std::optional<double> distance_m;
  std::optional<int> eta_s;
  Standing standing = Standing::scheduled;
  std::optional<int> free_in_min = {};  // busy: when it expects to be free
  std::string last_state = {};     // stale: what it last said ("available")
  int64_t silent_s = 0;            // stale: seconds without a word
  friend bool operator==(const OnDutyUnit&, const OnDutyUnit&) = default;
};

// The officer's ways on when no clinician can come (docs/config.md):
// which one was used is recorded for the outcome record.
inline constexpr const char* kHandoffs[] = {"telehealth", "crisis_line", "fallback"};
bool is_handoff(const std::string& id);

struct RequestView {
  RequestPhase phase = RequestPhase::ready;
  bool automatic = false;                 // sent by an auto-request rule, not a tap
  bool not_kept = false;                  // sent, but the disk refused to keep it
  std::vector<std::string> reason_codes;  // care codes only: no notes travel
  std::vector<std::string> reason_names;  // display names for the panel
  // Care flags of another unit or a nearby premise: never sent on their own
  // (they may be a neighbour's); the officer may add them by hand.
  std::vector<std::string> other_reason_codes;
  std::vector<std::string> other_reason_names;  // "Autism (Apt 1A, same building)"
  std::string by_unit, by_name;           // who accepted
  std::optional<int> eta_s;
  std::string fallback;                   // e.g. "Mobile crisis line 555-0199"
  std::string telehealth_uri;             // https:, tel: or sip:; empty = none
  std::string crisis_line_uri;            // e.g. tel:988; empty = none
  bool schedule_configured = false;       // without a schedule or live states, no list is shown
  bool live_states = false;               // some clinician unit has sent a live state
  std::vector<OnDutyUnit> on_duty;        // available nearest first, busy, telehealth, scheduled, stale
  bool dispatch_asked = false;            // the request came from a dispatcher, not this car
  std::string handoff;                    // the next step the officer took (kHandoffs), if any
  std::optional<int64_t> handoff_ms;      // when, wall clock
};

// Whether any unit listed can come in person now (available, or on duty by
// the schedule with nothing said): without one the panel leads with the
// next steps.
bool someone_available(const RequestView& view);

PanelDocument build_request_panel(const IncidentSummary& incident, const RequestView& view);

enum class OfferPhase { offered, accepted, declined, taken, en_route, on_scene, cleared,
                        cancelled };
const char* to_string(OfferPhase);

struct OfferView {
  std::string request_id;
  std::string incident_id;
  std::string from_unit;
  std::string call_type;
  std::string address;
  std::vector<std::string> reason_codes;
  std::optional<double> distance_m;
  std::optional<int> eta_s;
  OfferPhase phase = OfferPhase::offered;
  std::string outcome;  // disposition id once filed
  std::string outcome_refused;  // why the last filing was not kept (shown until one is)
  bool officer_released = false;  // the clinician told the officer they may leave
  std::optional<int64_t> dispatched_ms = std::nullopt;  // the call's dispatch time, if the request said
  bool restored = false;                                // brought back from the journal
  bool telehealth = false;                              // CAD offers it as telehealth (the unit said so)
  bool dispatch_asked = false;                          // a dispatcher asked, not the officer
};

// The clinician's own availability: one tap sets it, and it travels as
// `coresponder_state`.
struct AvailabilityView {
  std::string state;                  // one of bridge::kCoresponderStates; empty = not set yet
  std::optional<int64_t> free_at_ms;  // busy: when it expects to be free (wall clock)
  bool automatic = false;             // set by accepting or clearing an offer, not a tap
};
PanelDocument build_availability_panel(const AvailabilityView& view);

// `match` is the clinician's own, unredacted cache answer for the address.
PanelDocument build_offer_panel(const OfferView& offer, const cache::MatchResult& match);

// Reason codes for a request: care flags the officer may see (never SUD,
// never clinician-only: the request crosses CAD, which must carry no PHI),
// of this address only (flag_level exact): a neighbour's care code must not
// travel as the reason for this call.
std::vector<const cache::Flag*> request_reasons(const cache::MatchResult& redacted_for_officer);
// The same kind of flags below exact, which only the officer may add.
std::vector<const cache::Flag*> other_request_reasons(const cache::MatchResult& redacted_for_officer);

}  // namespace mdtc::plugin
