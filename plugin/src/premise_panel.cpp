#include "premise_panel.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <string_view>

#include "incident_header.h"
#include "redaction.h"

namespace mdtc::plugin {
namespace {

// Rounded down: "1 min" seconds after an import would say the data is older
// than it is.
std::string age_text(int64_t age_s) {
  if (age_s < 3600) return std::to_string(age_s / 60) + " min";
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
    if (f.kind == kind && flag_level(m, f) == cache::MatchLevel::exact) flags.push_back(&f);
  // Most severe first: the first line an officer reads is the one that matters most.
  std::stable_sort(flags.begin(), flags.end(),
                   [](const auto* a, const auto* b) { return a->severity > b->severity; });
  for (const auto* f : flags) s.fields.push_back(flag_field(m, *f));
  return s;
}

// The cache's reason may name a file (it is written for the log and the
// CLI); the officer's screen gets words only.
std::string officer_reason(const std::string& reason) {
  if (reason.find('/') == std::string::npos) return reason;
  if (reason.find("corrupt") != std::string::npos) return unavailable_words("cache.integrity");
  return unavailable_words("");
}

const cache::Premise* premise_of(const cache::MatchResult& m, const std::string& id) {
  for (const auto& p : m.premises)
    if (p.id == id) return &p;
  return nullptr;
}

cache::MatchLevel premise_level(const cache::MatchResult& m, const cache::Premise& p) {
  return std::max(m.level, p.level);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : "; ") + item;
  return out;
}

// "1208 N MAPLE ST APT 1A" -> "1208 N Maple St Apt 1A": read at a glance
// beside upper-case section titles. Directionals stay as they are.
std::string title_case(std::string_view text) {
  static const std::set<std::string_view> kKeep = {"N", "S", "E", "W", "NE", "NW", "SE", "SW"};
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    if (!out.empty()) out += ' ';
    if (kKeep.count(word)) {
      out += word;
    } else {
      for (std::size_t k = 0; k < word.size(); ++k) {
        const unsigned char c = static_cast<unsigned char>(word[k]);
        const bool after_letter = k > 0 && std::isalpha(static_cast<unsigned char>(word[k - 1]));
        out += static_cast<char>(after_letter ? std::tolower(c) : c);
      }
    }
    i = end + 1;
  }
  return out;
}

bool unit_reason(const cache::Premise& p) {
  for (const auto& why : p.reasons)
    if (why == "other unit in this building" || why == "unit not given" || why == "record is for the whole building")
      return true;
  return false;
}

bool far_from_cad(const cache::Premise& p) {
  for (const auto& why : p.reasons)
    if (why.ends_with("from the CAD location")) return true;
  return false;
}

// Where a flag below exact is, for the spoken line.
std::string spoken_place(const cache::MatchResult& m, const cache::Flag& f) {
  const cache::MatchLevel level = flag_level(m, f);
  if (level == cache::MatchLevel::exact) return "at this address";
  if (level == cache::MatchLevel::nearby) return "nearby";
  const cache::Premise* p = premise_of(m, f.premise_id);
  if (p && far_from_cad(*p)) return "at a matching address far from the CAD location";
  if (p && unit_reason(*p)) return "in this building";
  return "at a possible match for this address";
}

// A premise below exact gets its own section, so whose flags they are is
// never in doubt: safety first, then care (and SUD for clinicians).
PanelSection other_premise_section(config::Role role, const cache::MatchResult& m, const cache::Premise& p) {
  PanelSection s{"premise." + p.id, premise_label(p, premise_level(m, p)), Severity::info, {}, {}};
  std::vector<const cache::Flag*> flags;
  for (const auto& f : m.flags)
    if (f.premise_id == p.id && (f.kind != cache::FlagKind::sud || role == config::Role::coresponder))
      flags.push_back(&f);
  std::stable_sort(flags.begin(), flags.end(), [](const auto* a, const auto* b) {
    const bool sa = a->kind == cache::FlagKind::safety, sb = b->kind == cache::FlagKind::safety;
    return sa != sb ? sa : a->severity > b->severity;
  });
  for (const auto* f : flags) {
    s.fields.push_back(flag_field(m, *f));
    s.severity = std::max(s.severity, s.fields.back().severity);
    if (f->kind == cache::FlagKind::sud) s.notice = kPart2Notice;
  }
  for (const auto& h : m.history)
    if (h.premise_id == p.id)
      s.fields.push_back({"Prior call " + h.at.substr(0, 10), h.call_type + " - " + h.disposition,
                          Severity::info, {}, {}});
  return s;
}

}  // namespace

std::string unavailable_words(std::string_view code) {
  if (code == "cache.missing") return "no flag cache on this MDT yet";
  if (code == "cache.key_missing") return "key file missing";
  if (code == "cache.key_permissions") return "key file not protected";
  if (code == "cache.key" || code == "cache.key_invalid" || code == "cache.key_mismatch")
    return "wrong or damaged key file";
  if (code == "cache.integrity") return "cache file damaged";
  if (code == "cache.never_synced") return "never synced with the flag registry";
  return "flag cache cannot be opened";
}

cache::MatchLevel flag_level(const cache::MatchResult& m, const cache::Flag& f) {
  const cache::Premise* p = premise_of(m, f.premise_id);
  // A flag whose premise the answer does not name cannot be placed: never "this address".
  if (!p) return std::max(m.level, cache::MatchLevel::building);
  return premise_level(m, *p);
}

std::string premise_label(const cache::Premise& p, cache::MatchLevel level) {
  const std::string street = title_case(std::string_view(p.address).substr(0, p.address.find(',')));
  const std::string away = p.distance_m ? cache::distance_text(*p.distance_m) : std::string();
  switch (level) {
    case cache::MatchLevel::exact: return "This address: " + street;
    case cache::MatchLevel::nearby: return street + (away.empty() ? ", nearby" : ", " + away + " away");
    case cache::MatchLevel::building:
      if (far_from_cad(p)) return street + ", " + away + " from the CAD location";
      if (unit_reason(p))
        return (p.unit_display.empty() ? std::string("Whole building") : title_case(p.unit_display)) +
               ", same building";
      return street + ", possible match";
    case cache::MatchLevel::none: break;
  }
  return street;
}

std::string freshness_text(const cache::MatchResult& match) {
  switch (match.freshness) {
    case cache::Freshness::fresh:
      if (match.age_s && *match.age_s < 60) return "Flags updated just now";
      return match.age_s ? "Flags updated " + age_text(*match.age_s) + " ago" : "Flags current";
    case cache::Freshness::stale:
      if (!match.stale_reason.empty()) return "FLAGS MAY BE OUT OF DATE - " + match.stale_reason;
      return "FLAGS " + (match.age_s ? age_text(*match.age_s) : std::string("many hours")) +
             " OLD - may be out of date";
    case cache::Freshness::unavailable:
      // Worded so that no part of it, read alone, says the address is clear.
      return "FLAGS UNAVAILABLE - this address could not be checked; treat it as unknown" +
             (match.unavailable_reason.empty() ? std::string()
                                               : " (" + officer_reason(match.unavailable_reason) + ")");
  }
  return "FLAGS UNAVAILABLE";
}

std::string registry_ahead_words(std::string_view sync_state, std::optional<int64_t> held,
                                 std::optional<int64_t> registry) {
  if (sync_state != "failed" && sync_state != "rejected") return {};
  if (!held || !registry || *registry <= *held) return {};
  return "the registry has newer flags (version " + std::to_string(*registry) +
         ") that this car could not load (it holds " + std::to_string(*held) + ")";
}

std::string match_level_text(const cache::MatchResult& match) {
  std::string where;
  for (const auto& p : match.premises)
    if (premise_level(match, p) == match.level) {
      where = p.address;
      break;
    }
  switch (match.level) {
    case cache::MatchLevel::exact:
      return "This address: " + where;
    case cache::MatchLevel::building: {
      // Never one premise's address: the flags below may be several units'.
      const bool units_only = std::all_of(match.premises.begin(), match.premises.end(), [&](const auto& p) {
        return premise_level(match, p) != cache::MatchLevel::building || unit_reason(p);
      });
      return units_only ? "Same building, not this unit" : "Possible match, not confirmed as this address";
    }
    case cache::MatchLevel::nearby: {
      std::string d;
      if (!match.premises.empty() && match.premises[0].distance_m)
        d = cache::distance_text(*match.premises[0].distance_m);
      return "Nearby" + (d.empty() ? std::string() : ": " + d + " from the dispatch point") +
             " - no flagged premise at this address";
    }
    case cache::MatchLevel::none:
      if (match.corner)
        return "A corner names no premise and CAD sent no location to look near - its flags were not checked; "
               "confirm the address with dispatch";
      if (match.unparsed) return "Address not understood - its flags were not checked; confirm the address with dispatch";
      if (match.ambiguous_candidates.size() == 1)
        return "Address not certain: a flagged premise could match - confirm the address with dispatch";
      if (!match.ambiguous_candidates.empty())
        return "Address ambiguous: " + std::to_string(match.ambiguous_candidates.size()) +
               " flagged premises could match - confirm the address with dispatch";
      return "No flagged premise at this address";
  }
  return {};
}

std::vector<PanelSection> premise_sections(config::Role role, const cache::MatchResult& m) {
  std::vector<PanelSection> out;
  PanelSection where{"where", "LOCATION", Severity::info, {}, {}};
  if (m.freshness == cache::Freshness::unavailable) {
    // The warning is the first thing on the panel, and a cache that cannot
    // answer has no "no match" to report: an officer who reads one line
    // must not read "No flagged premise".
    out.push_back({"unavailable", "FLAGS UNAVAILABLE", Severity::warning, {},
                   {{"Cache", freshness_text(m), Severity::warning, {}, {}}}});
    if (m.level != cache::MatchLevel::none || !m.ambiguous_candidates.empty())
      where.fields.push_back({"Match", match_level_text(m), Severity::info, {}, {}});
  } else {
    where.fields.push_back({"Match", match_level_text(m), Severity::info, {}, {}});
  }
  if (m.level != cache::MatchLevel::exact && !m.reasons.empty())
    where.fields.push_back({"Why", join(m.reasons), Severity::caution, {}, {}});
  if (m.freshness != cache::Freshness::unavailable)
    where.fields.push_back({"Cache", freshness_text(m),
                            m.freshness == cache::Freshness::fresh ? Severity::info : Severity::warning, {}, {}});
  // The section is as loud as its loudest field: a host moves a quiet one
  // to the end (docs/panel-ux.md), and "FLAGS 30 h OLD" must stay in sight.
  for (const auto& f : where.fields) where.severity = std::max(where.severity, f.severity);
  if (!where.fields.empty()) out.push_back(std::move(where));

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
  for (const auto& p : m.premises) {
    if (premise_level(m, p) == cache::MatchLevel::exact) continue;
    auto other = other_premise_section(role, m, p);
    if (!other.fields.empty()) out.push_back(std::move(other));
  }
  // People and prior calls of this address only; a neighbour's are named in
  // their premise's section.
  std::set<std::string> here;
  for (const auto& f : m.flags)
    if (!f.subject_id.empty() && flag_level(m, f) == cache::MatchLevel::exact) here.insert(f.subject_id);
  PanelSection people{"people", "PEOPLE", Severity::info, {}, {}};
  for (const auto& s : m.subjects)
    if (here.count(s.id))
      people.fields.push_back({s.name, s.born.empty() ? std::string() : "born " + s.born,
                               Severity::info, {}, {}});
  if (!people.fields.empty()) out.push_back(std::move(people));
  PanelSection prior{"history", "PRIOR CALLS", Severity::info, {}, {}};
  for (const auto& h : m.history) {
    const cache::Premise* p = premise_of(m, h.premise_id);
    if (p && premise_level(m, *p) == cache::MatchLevel::exact)
      prior.fields.push_back({h.at.substr(0, 10), h.call_type + " - " + h.disposition,
                              Severity::info, {}, {}});
  }
  if (!prior.fields.empty()) out.push_back(std::move(prior));
  return out;
}

PremisePanel build_premise_panel(config::Role role, const IncidentSummary& incident,
                                 const cache::MatchResult& match) {
  const cache::MatchResult m = redact_for(role, match);
  PremisePanel panel;
  const bool unavailable = m.freshness == cache::Freshness::unavailable;
  const bool ambiguous = m.level == cache::MatchLevel::none && !m.ambiguous_candidates.empty();
  // An address that could not be read was not checked: that must not look
  // like an address with no flags.
  const bool unread = m.unparsed && !unavailable;
  // A cache past cache.max_age_h cannot say "no flags" either: it says
  // "none on file as of its age" (found from outside: an address with no
  // flags popped nothing on a 30-hour-old cache).
  const bool stale = m.freshness == cache::Freshness::stale;
  panel.show = !m.flags.empty() || unavailable || ambiguous || unread || stale;
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
  } else if (unread) {
    doc.title = m.corner ? "CORNER - FLAGS NOT CHECKED" : "ADDRESS NOT UNDERSTOOD - FLAGS NOT CHECKED";
    doc.severity = Severity::warning;
  } else if (m.flags.empty()) {
    doc.title = "NO FLAGS ON FILE - BUT FLAGS ARE OUT OF DATE";
    doc.severity = Severity::warning;
  } else {
    // Below exact the title says so first: the flags may be this door's or a
    // neighbour's (unit or city not given, another unit in the building, a
    // text match far from CAD's point); the sections say whose each is.
    const std::string place = m.level == cache::MatchLevel::building ? "POSSIBLE MATCH - "
                              : m.level == cache::MatchLevel::nearby ? "NEARBY - "
                                                                     : "";
    doc.title = place + (has_safety ? "PREMISE HISTORY - SAFETY FLAGS" : "PREMISE HISTORY");
    doc.severity = has_safety ? Severity::danger : Severity::caution;
  }
  doc.sections = premise_sections(role, m);
  // Which call this is comes first, except that a cache which cannot answer
  // says so before anything else (the officer may read only one line).
  const bool warning_first = !doc.sections.empty() && doc.sections.front().id == "unavailable";
  doc.sections.insert(doc.sections.begin() + (warning_first ? 1 : 0), incident_section(incident));
  doc.actions.push_back({"dismiss", "Dismiss", "default"});

  for (const auto& f : m.flags) {
    if (f.kind != cache::FlagKind::safety || f.severity < 3) continue;
    std::string line =
        "Caution: " + (f.display_name.empty() ? f.code : f.display_name) + " " + spoken_place(m, f) + ".";
    if (std::find(panel.spoken.begin(), panel.spoken.end(), line) == panel.spoken.end())
      panel.spoken.push_back(std::move(line));
  }
  return panel;
}

}  // namespace mdtc::plugin
