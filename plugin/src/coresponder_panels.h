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

// A co-responder unit the schedule has on duty now, with how far it is from
// the incident when CAD has sent its position.
struct OnDutyUnit {
  std::string unit, name;
  std::optional<double> distance_m;
  std::optional<int> eta_s;
  friend bool operator==(const OnDutyUnit&, const OnDutyUnit&) = default;
};

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
  bool schedule_configured = false;       // without a schedule, no on-duty list is shown
  std::vector<OnDutyUnit> on_duty;        // nearest first, then those without a position
};

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
  bool officer_released = false;  // the clinician told the officer they may leave
  std::optional<int64_t> dispatched_ms = std::nullopt;  // the call's dispatch time, if the request said
  bool restored = false;                                // brought back from the journal
};

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
