// The fixed code lists of an outcome record: what a co-responder program
// reports to its funders, each field from a closed list with "unknown"
// allowed, so nothing free-text rides along with the figures. Pure values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mdtc::plugin {

inline constexpr const char* kUnknown = "unknown";

struct OutcomeCode {
  std::string id;     // stored and exported
  std::string label;  // shown on the clinician's panel
};

struct OutcomeField {
  std::string id;     // column name in the store and the exports
  std::string label;  // the panel's label
  std::vector<OutcomeCode> codes;  // "unknown" is always the last one
};

// contact_type, age_band, presenting_issue, services_referred, disposition,
// police_backup, transport_by, repeat_contact — in export column order.
const std::vector<OutcomeField>& outcome_fields();
const OutcomeField* outcome_field(std::string_view field_id);
bool is_outcome_code(std::string_view field_id, std::string_view code);
std::string outcome_code_label(std::string_view field_id, std::string_view code);

// The dispositions a clinician files with one tap; the ids are the panel
// action ids (and the disposition field's codes but "unknown").
inline constexpr const char* kDispositions[] = {
    "resolved_on_scene", "voluntary_transport", "involuntary_hold",
    "arrest",            "referral_made",       "connected_to_services"};
bool is_disposition(const std::string& id);
std::string disposition_label(const std::string& id);
// Dispositions that kept the person out of a hold and out of jail, and the
// two that did not; "unknown" is neither (the diversion rate leaves it out).
bool is_diversion(std::string_view disposition);
bool is_hold_or_arrest(std::string_view disposition);

// Who asked for the co-responder: "officer" (a tap), "auto_rule"
// (coresponder.auto_request), "dispatch" (a CAD-originated request), or
// "unknown".
inline constexpr const char* kRequesters[] = {"officer", "auto_rule", "dispatch", "unknown"};
bool is_requester(std::string_view id);

// The moments of a request an outcome record stamps, in order; the store's
// and the exports' columns are "<id>_at".
// `handed_off`: the officer took a next step (telehealth, crisis line,
// fallback) instead of, or after, waiting for a clinician unit.
enum class OutcomeStep { requested, offered, accepted, en_route, on_scene, officer_released, cleared,
                         handed_off };
inline constexpr int kOutcomeSteps = 8;
const char* to_string(OutcomeStep step);

}  // namespace mdtc::plugin
