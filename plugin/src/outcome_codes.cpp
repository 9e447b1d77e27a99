#include "outcome_codes.h"

#include <algorithm>

namespace mdtc::plugin {
namespace {

OutcomeField field(std::string id, std::string label, std::vector<OutcomeCode> codes) {
  codes.push_back({kUnknown, "Unknown"});
  return {std::move(id), std::move(label), std::move(codes)};
}

}  // namespace

const std::vector<OutcomeField>& outcome_fields() {
  // Ids are stored in the outcome file and read by funders' spreadsheets:
  // never rename one; add new codes at the end (before "unknown").
  static const std::vector<OutcomeField> fields = {
      field("contact_type", "Contact",
            {{"in_person", "In person"},
             {"telehealth", "Telehealth"},
             {"phone_consult", "Phone consult to officer"},
             {"follow_up", "Follow-up"}}),
      field("age_band", "Age",
            {{"under_18", "Under 18"},
             {"18_24", "18-24"},
             {"25_34", "25-34"},
             {"35_44", "35-44"},
             {"45_54", "45-54"},
             {"55_64", "55-64"},
             {"65_plus", "65 or older"}}),
      field("presenting_issue", "Presenting issue",
            {{"mental_health_crisis", "Mental health crisis"},
             {"suicide_risk", "Suicide risk"},
             {"substance_use", "Substance use"},
             {"developmental_disability", "Developmental disability / autism"},
             {"dementia", "Dementia / cognitive"},
             {"housing", "Housing / homelessness"},
             {"family_conflict", "Family conflict"},
             {"welfare_check", "Welfare check"},
             {"other", "Other"}}),
      field("services_referred", "Services referred",
            {{"none", "None"},
             {"crisis_stabilization", "Crisis stabilization"},
             {"outpatient_mental_health", "Outpatient mental health"},
             {"substance_use_treatment", "Substance use treatment"},
             {"housing_services", "Housing services"},
             {"case_management", "Case management"},
             {"developmental_services", "Developmental services"},
             {"primary_care", "Primary care"},
             {"other", "Other"}}),
      field("disposition", "Disposition",
            {{"resolved_on_scene", "Resolved on scene"},
             {"voluntary_transport", "Voluntary transport"},
             {"involuntary_hold", "Involuntary hold"},
             {"arrest", "Arrest"},
             {"referral_made", "Referral made"},
             {"connected_to_services", "Connected to services"}}),
      field("police_backup", "Police backup needed", {{"no", "No"}, {"yes", "Yes"}}),
      field("transport_by", "Transport by",
            {{"none", "No transport"},
             {"clinician", "Clinician"},
             {"police", "Police"},
             {"ambulance", "Ambulance"},
             {"family_or_self", "Family or self"}}),
      field("repeat_contact", "Known to the program", {{"no", "No"}, {"yes", "Yes"}}),
  };
  return fields;
}

const OutcomeField* outcome_field(std::string_view id) {
  for (const auto& f : outcome_fields())
    if (f.id == id) return &f;
  return nullptr;
}

bool is_outcome_code(std::string_view field_id, std::string_view code) {
  const OutcomeField* f = outcome_field(field_id);
  return f && std::any_of(f->codes.begin(), f->codes.end(),
                          [&](const OutcomeCode& c) { return c.id == code; });
}

std::string outcome_code_label(std::string_view field_id, std::string_view code) {
  if (const OutcomeField* f = outcome_field(field_id))
    for (const auto& c : f->codes)
      if (c.id == code) return c.label;
  return std::string(code);
}

bool is_disposition(const std::string& id) {
  return std::find_if(std::begin(kDispositions), std::end(kDispositions),
                      [&](const char* d) { return id == d; }) != std::end(kDispositions);
}

std::string disposition_label(const std::string& id) { return outcome_code_label("disposition", id); }

bool is_diversion(std::string_view d) {
  return d == "resolved_on_scene" || d == "voluntary_transport" || d == "referral_made" ||
         d == "connected_to_services";
}

bool is_hold_or_arrest(std::string_view d) { return d == "involuntary_hold" || d == "arrest"; }

bool is_requester(std::string_view id) {
  return std::find(std::begin(kRequesters), std::end(kRequesters), id) != std::end(kRequesters);
}

const char* to_string(OutcomeStep s) {
  switch (s) {
    case OutcomeStep::requested: return "requested";
    case OutcomeStep::offered: return "offered";
    case OutcomeStep::accepted: return "accepted";
    case OutcomeStep::en_route: return "en_route";
    case OutcomeStep::on_scene: return "on_scene";
    case OutcomeStep::officer_released: return "officer_released";
    case OutcomeStep::cleared: return "cleared";
    case OutcomeStep::handed_off: return "handed_off";
  }
  return "requested";
}

}  // namespace mdtc::plugin
