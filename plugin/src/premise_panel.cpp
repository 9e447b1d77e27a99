#include "premise_panel.h"

#include <algorithm>
#include <cmath>

#include "incident_header.h"
#include "redaction.h"

namespace mdtc::plugin {
namespace {

std::string age_text(int64_t age_s) {
  if (age_s < 3600) return std::to_string(std::max<int64_t>(1, age_s / 60)) + " min";
  if (age_s < 48 * 3600) return std::to_string(age_s / 3600) + " h";
  return std::to_string(age_s / 86400) + " days";
}

Severity flag_severity(const cache::Flag& f) {
  if (f.kind == cache::FlagKind::safety)
    return f.severity >= 3 ? Severity::danger : Severity::warning;
  switch (f.severity) {
    case 3: return Severity::danger;
    case 2: return Severity::warning;
    case 1: return Severity::caution;
    default: return Severity::info;
  }
}

std::string subject_name(const cache::MatchResult& m, const std::string& id) {
  for (const auto& s : m.subjects)
    if (s.id == id) return s.name;
  return {};
}

PanelField flag_field(const cache::MatchResult& m, const cache::Flag& f) {
  PanelField field;
  field.label = f.display_name.empty() ? f.code : f.display_name;
  field.value = f.note;
  const std::string who = subject_name(m, f.subject_id);
  if (!who.empty()) field.value = field.value.empty() ? who : who + ": " + field.value;
  field.severity = flag_severity(f);
  field.code = f.code;
  field.flag_id = f.id;
  return field;
}

PanelSection flag_section(const cache::MatchResult& m, cache::FlagKind kind, std::string id,
                          std::string title, Severity severity) {
  PanelSection s{std::move(id), std::move(title), severity, {}, {}};
  std::vector<const cache::Flag*> flags;
  for (const auto& f : m.flags)
    if (f.kind == kind) flags.push_back(&f);
  // Most severe first: the first line an officer reads is the one that matters most.
  std::stable_sort(flags.begin(), flags.end(),
                   [](const auto* a, const auto* b) { return a->severity > b->severity; });
  for (const auto* f : flags) s.fields.push_back(flag_field(m, *f));
  return s;
}

}  // namespace

std::string freshness_text(const cache::MatchResult& match) {
  switch (match.freshness) {
    case cache::Freshness::fresh:
      return match.age_s ? "Flags updated " + age_text(*match.age_s) + " ago" : "Flags current";
    case cache::Freshness::stale:
      return "FLAGS " + (match.age_s ? age_text(*match.age_s) : std::string("many hours")) +
             " OLD - may be out of date";
    case cache::Freshness::unavailable:
      return "FLAGS UNAVAILABLE - this does not mean there are no flags" +
             (match.unavailable_reason.empty() ? std::string()
                                               : " (" + match.unavailable_reason + ")");
  }
  return "FLAGS UNAVAILABLE";
}

std::string match_level_text(const cache::MatchResult& match) {
  const std::string where = match.premises.empty() ? std::string() : match.premises[0].address;
  switch (match.level) {
    case cache::MatchLevel::exact:
      return "This address: " + where;
    case cache::MatchLevel::building:
      return "Same building, different or no unit: " + where;
    case cache::MatchLevel::nearby: {
      std::string d;
      if (!match.premises.empty() && match.premises[0].distance_m)
        d = std::to_string(static_cast<long>(std::lround(*match.premises[0].distance_m))) + " m";
      return "Nearby" + (d.empty() ? std::string() : ": " + d + " from the dispatch point") +
             " - " + where;
    }
    case cache::MatchLevel::none:
      if (!match.ambiguous_candidates.empty())
        return "Address ambiguous: " + std::to_string(match.ambiguous_candidates.size()) +
               " flagged premises could match - confirm the address with dispatch";
      return "No flagged premise at this address";
  }
  return {};
}

std::vector<PanelSection> premise_sections(config::Role role, const cache::MatchResult& m) {
  std::vector<PanelSection> out;
  PanelSection where{"match", "LOCATION", Severity::info, {}, {}};
  where.fields.push_back({"Match", match_level_text(m), Severity::info, {}, {}});
  where.fields.push_back({"Cache", freshness_text(m),
                          m.freshness == cache::Freshness::fresh ? Severity::info
                                                                 : Severity::warning,
                          {}, {}});
  out.push_back(std::move(where));

  auto safety = flag_section(m, cache::FlagKind::safety, "safety", "SAFETY", Severity::danger);
  if (!safety.fields.empty()) out.push_back(std::move(safety));
  auto care = flag_section(m, cache::FlagKind::care, "care", "CARE AND COMMUNICATION",
                           Severity::caution);
  if (!care.fields.empty()) out.push_back(std::move(care));
  if (role == config::Role::coresponder) {
    auto sud = flag_section(m, cache::FlagKind::sud, "sud",
                            "SUBSTANCE-USE TREATMENT (42 CFR PART 2)", Severity::caution);
    sud.notice = kPart2Notice;
    if (!sud.fields.empty()) out.push_back(std::move(sud));
  }
  if (!m.subjects.empty()) {
    PanelSection people{"people", "PEOPLE", Severity::info, {}, {}};
    for (const auto& s : m.subjects)
      people.fields.push_back({s.name, s.born.empty() ? std::string() : "born " + s.born,
                               Severity::info, {}, {}});
    out.push_back(std::move(people));
  }
  if (!m.history.empty()) {
    PanelSection prior{"history", "PRIOR CALLS", Severity::info, {}, {}};
    for (const auto& h : m.history)
      prior.fields.push_back({h.at.substr(0, 10), h.call_type + " - " + h.disposition,
                              Severity::info, {}, {}});
    out.push_back(std::move(prior));
  }
  return out;
}

PremisePanel build_premise_panel(config::Role role, const IncidentSummary& incident,
                                 const cache::MatchResult& match) {
  const cache::MatchResult m = redact_for(role, match);
  PremisePanel panel;
  const bool unavailable = m.freshness == cache::Freshness::unavailable;
  const bool ambiguous = m.level == cache::MatchLevel::none && !m.ambiguous_candidates.empty();
  panel.show = !m.flags.empty() || unavailable || ambiguous;
  if (!panel.show) return panel;

  PanelDocument& doc = panel.doc;
  doc.id = "premise:" + incident.id;
  doc.kind = "premise";
  doc.incident_id = incident.id;
  doc.subtitle = incident.call_type + " - " + incident.address;
  const bool has_safety = std::any_of(m.flags.begin(), m.flags.end(), [](const auto& f) {
    return f.kind == cache::FlagKind::safety;
  });
  if (unavailable) {
    doc.title = "FLAGS UNAVAILABLE";
    doc.severity = Severity::warning;
  } else if (ambiguous && m.flags.empty()) {
    doc.title = "CHECK ADDRESS - POSSIBLE FLAGGED PREMISE";
    doc.severity = Severity::warning;
  } else {
    doc.title = has_safety ? "PREMISE HISTORY - SAFETY FLAGS" : "PREMISE HISTORY";
    doc.severity = has_safety ? Severity::danger : Severity::caution;
  }
  doc.sections = premise_sections(role, m);
  doc.sections.insert(doc.sections.begin(), incident_section(incident));
  doc.actions.push_back({"dismiss", "Dismiss", "default"});

  for (const auto& f : m.flags) {
    if (f.kind != cache::FlagKind::safety || f.severity < 3) continue;
    std::string line =
        "Caution: " + (f.display_name.empty() ? f.code : f.display_name) + " at this address.";
    if (std::find(panel.spoken.begin(), panel.spoken.end(), line) == panel.spoken.end())
      panel.spoken.push_back(std::move(line));
  }
  return panel;
}

}  // namespace mdtc::plugin
