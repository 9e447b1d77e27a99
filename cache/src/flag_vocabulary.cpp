#include "flag_vocabulary.h"

#include <algorithm>
#include <iterator>

namespace mdtc::cache {
namespace {

// Codes follow what agencies' CAD premise and person caution files use;
// the person-caution set mirrors the caution and medical conditions that
// national crime-information records carry (armed and dangerous, violent
// tendencies, escape risk, suicidal, heart condition, medication...). APCO's
// common incident types name calls, not flags, so MENTAL_HEALTH and the
// like are the flag side of its mental-health and suicide call types.
constexpr VocabularyEntry kVocabulary[] = {
    // Responder safety: danger (3) is anything that can hurt the officer.
    {"WEAPONS", "Weapons reported", "safety", 3},
    {"ARMED_AND_DANGEROUS", "Armed and dangerous", "safety", 3},
    {"OFFICER_CAUTION", "Officer caution", "safety", 3},
    {"VIOLENT_HISTORY", "History of violence", "safety", 3},
    {"FIREARMS", "Firearms in the home", "safety", 3},
    {"VIOLENCE", "History of violence toward responders", "safety", 3},
    {"ASSAULT_OFFICER", "Has assaulted an officer", "safety", 3},
    {"EXPLOSIVES", "Explosives or booby traps reported", "safety", 3},
    {"DOG", "Dangerous dog", "safety", 2},
    {"HAZMAT", "Hazardous materials on premises", "safety", 2},
    {"OXYGEN", "Home oxygen in use", "safety", 2},
    {"HOARDING", "Hoarding conditions", "safety", 1},
    {"PROTECTIVE_ORDER", "Protective order in effect", "safety", 2},
    {"ESCAPE_RISK", "Escape or flight risk", "safety", 2},
    {"GANG_AFFILIATION", "Known gang affiliation", "safety", 2},
    // Care: conditions that change how to approach someone.
    {"AUTISM", "Autism", "care", 1},
    {"DEMENTIA", "Dementia", "care", 1},
    {"WANDERING_RISK", "Wandering risk", "care", 1},
    {"MENTAL_HEALTH", "Mental-health concern", "care", 1},
    {"IN_TREATMENT", "In mental-health treatment", "care", 1},
    {"SUICIDE_RISK", "Suicide risk", "care", 2},
    {"PTSD", "Post-traumatic stress", "care", 1},
    {"HEARING_IMPAIRED", "Deaf or hard of hearing", "care", 1},
    {"VISION_IMPAIRED", "Blind or low vision", "care", 1},
    {"NONVERBAL", "Nonverbal", "care", 1},
    {"DIABETES", "Diabetes", "care", 1},
    {"SEIZURES", "Seizure disorder", "care", 1},
    {"HEART_CONDITION", "Heart condition", "care", 1},
    {"MEDICATION_REQUIRED", "Needs medication", "care", 1},
    {"MOBILITY", "Uses a wheelchair or mobility aid", "care", 1},
    {"DEVELOPMENTAL_DISABILITY", "Developmental disability", "care", 1},
    {"SERVICE_ANIMAL", "Service animal", "care", 0},
    {"CARE_PLAN", "Crisis care plan on file", "care", 0},
    {"INTERPRETER", "Needs an interpreter", "care", 0},
    // Substance-use treatment (42 CFR Part 2): clinician-only.
    {"SUD_TREATMENT", "In substance-use treatment", "sud", 1},
    {"OPIOID_OVERDOSE_RISK", "Opioid overdose risk", "sud", 2},
    {"NALOXONE_ON_SITE", "Naloxone on site", "sud", 0},
};

}  // namespace

const VocabularyEntry* find_code(std::string_view code) {
  auto it = std::find_if(std::begin(kVocabulary), std::end(kVocabulary),
                         [&](const VocabularyEntry& e) { return e.code == code; });
  return it == std::end(kVocabulary) ? nullptr : &*it;
}

int default_severity(std::string_view kind) { return kind == "safety" ? 2 : 1; }

std::string display_name(std::string_view code, std::string_view kind) {
  if (const VocabularyEntry* v = find_code(code)) return std::string(v->display_name);
  // A registry may be newer than this build: the officer still sees that
  // there is a flag, what kind, and the code to ask dispatch about.
  const std::string label = kind == "safety" ? "Other safety flag"
                            : kind == "sud"  ? "Other treatment flag"
                                             : "Other care flag";
  return code.empty() ? label : label + " (" + std::string(code) + ")";
}

}  // namespace mdtc::cache
