#include "premise_panel.h"

#include <gtest/gtest.h>

#include <cctype>

#include "fake_ports.h"

namespace mdtc::plugin {
namespace {

const IncidentSummary kIncident{"I-1", "WELFARE CHECK", 2, "1208 n. maple street #3b"};

TEST(PremisePanel, SafetySectionComesBeforeCare) {
  auto p = build_premise_panel(config::Role::patrol, kIncident, test::flagged_premise());
  ASSERT_TRUE(p.show);
  std::vector<std::string> ids;
  for (const auto& s : p.doc.sections) ids.push_back(s.id);
  auto safety = std::find(ids.begin(), ids.end(), "safety");
  auto care = std::find(ids.begin(), ids.end(), "care");
  ASSERT_NE(safety, ids.end());
  ASSERT_NE(care, ids.end());
  EXPECT_LT(safety - ids.begin(), care - ids.begin());
  EXPECT_EQ(p.doc.severity, Severity::danger);
  EXPECT_EQ(p.doc.id, "premise:I-1");
}

TEST(PremisePanel, OfficerNeverSeesClinicianOnlyOrSudContent) {
  auto p = build_premise_panel(config::Role::patrol, kIncident, test::flagged_premise());
  const std::string json = p.doc.to_json();
  EXPECT_EQ(json.find("Dr. A"), std::string::npos);
  EXPECT_EQ(json.find("555-0100"), std::string::npos);
  EXPECT_EQ(json.find("Methadone"), std::string::npos);
  EXPECT_EQ(json.find("SUD_TREATMENT"), std::string::npos);
  EXPECT_EQ(json.find("R. Roe"), std::string::npos) << "a subject known only through a SUD record";
  EXPECT_EQ(json.find("42 CFR"), std::string::npos);
  EXPECT_NE(json.find("Legally owns rifles"), std::string::npos);
  EXPECT_NE(json.find("calm with low voice"), std::string::npos);
}

TEST(PremisePanel, ClinicianSeesTreatmentAndSudWithPart2Notice) {
  auto p = build_premise_panel(config::Role::coresponder, kIncident, test::flagged_premise());
  const std::string json = p.doc.to_json();
  EXPECT_NE(json.find("Dr. A"), std::string::npos);
  EXPECT_NE(json.find("Methadone"), std::string::npos);
  auto sud = std::find_if(p.doc.sections.begin(), p.doc.sections.end(),
                          [](const auto& s) { return s.id == "sud"; });
  ASSERT_NE(sud, p.doc.sections.end());
  EXPECT_NE(sud->notice.find("42 CFR part 2"), std::string::npos);
}

TEST(PremisePanel, UnflaggedTrustedAddressShowsNothing) {
  cache::MatchResult none;
  none.freshness = cache::Freshness::fresh;
  EXPECT_FALSE(build_premise_panel(config::Role::patrol, kIncident, none).show);
}

TEST(PremisePanel, AnAddressNotUnderstoodPopsAPanelThatNeverSaysNoFlags) {
  cache::MatchResult unread;
  unread.freshness = cache::Freshness::fresh;
  unread.unparsed = true;
  unread.reasons = {"address not understood"};
  for (auto role : {config::Role::patrol, config::Role::coresponder}) {
    auto p = build_premise_panel(role, kIncident, unread);
    ASSERT_TRUE(p.show);
    EXPECT_EQ(p.doc.title, "ADDRESS NOT UNDERSTOOD - FLAGS NOT CHECKED");
    EXPECT_EQ(p.doc.severity, Severity::warning);
    const std::string json = p.doc.to_json();
    EXPECT_EQ(json.find("No flagged premise"), std::string::npos) << json;
    EXPECT_NE(json.find("not checked"), std::string::npos) << json;
  }
}

// A corner with no point from CAD was never looked up: said as such.
TEST(PremisePanel, ACornerWithoutALocationSaysItsFlagsWereNotChecked) {
  cache::MatchResult corner;
  corner.freshness = cache::Freshness::fresh;
  corner.unparsed = corner.corner = true;
  corner.reasons = {"a corner, and no location to look near"};
  auto p = build_premise_panel(config::Role::patrol, kIncident, corner);
  ASSERT_TRUE(p.show);
  EXPECT_EQ(p.doc.title, "CORNER - FLAGS NOT CHECKED");
  const std::string json = p.doc.to_json();
  EXPECT_EQ(json.find("No flagged premise"), std::string::npos) << json;
  EXPECT_NE(json.find("A corner names no premise"), std::string::npos) << json;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(PremisePanel, UnavailablePanelOpensWithTheWarningAndNeverSaysNoFlags) {
  cache::MatchResult none;
  none.freshness = cache::Freshness::unavailable;
  none.unavailable_reason = "database damaged";
  for (auto role : {config::Role::patrol, config::Role::coresponder}) {
    auto p = build_premise_panel(role, kIncident, none);
    ASSERT_TRUE(p.show);
    EXPECT_EQ(p.doc.title, "FLAGS UNAVAILABLE");
    ASSERT_FALSE(p.doc.sections.empty());
    ASSERT_FALSE(p.doc.sections[0].fields.empty());
    // The first line an officer reads is the warning.
    EXPECT_EQ(p.doc.sections[0].fields[0].value.rfind("FLAGS UNAVAILABLE", 0), 0u) << p.doc.to_json();
    EXPECT_EQ(p.doc.sections[0].fields[0].severity, Severity::warning);
    const std::string json = lower(p.doc.to_json());
    EXPECT_EQ(json.find("no flag"), std::string::npos) << json;
    EXPECT_NE(json.find("database damaged"), std::string::npos) << json;
  }
}

TEST(PremisePanel, UnavailableReasonIsWordsNeverAMachinePath) {
  cache::MatchResult none;
  none.freshness = cache::Freshness::unavailable;
  none.unavailable_reason = "key file /var/lib/mdt-coresponder/cache.db.key is missing";
  std::string json = build_premise_panel(config::Role::patrol, kIncident, none).doc.to_json();
  EXPECT_EQ(json.find("/var/lib"), std::string::npos) << json;
  none.unavailable_reason = "the cache file was corrupt and was moved to /var/lib/x/cache.db.corrupt-1; no registry sync since";
  json = build_premise_panel(config::Role::patrol, kIncident, none).doc.to_json();
  EXPECT_EQ(json.find("/var/lib"), std::string::npos) << json;
  EXPECT_NE(json.find("cache file damaged"), std::string::npos) << json;

  EXPECT_EQ(unavailable_words("cache.key_missing"), "key file missing");
  EXPECT_EQ(unavailable_words("cache.integrity"), "cache file damaged");
  EXPECT_EQ(unavailable_words("cache.missing"), "no flag cache on this MDT yet");
  EXPECT_EQ(unavailable_words("something.new"), "flag cache cannot be opened");
}

TEST(PremisePanel, FreshnessIsRoundedDownAndJustNowRightAfterAnImport) {
  auto m = test::flagged_premise();
  m.freshness = cache::Freshness::fresh;
  m.age_s = 5;
  EXPECT_EQ(freshness_text(m), "Flags updated just now");
  m.age_s = 59;
  EXPECT_EQ(freshness_text(m), "Flags updated just now");
  m.age_s = 119;
  EXPECT_EQ(freshness_text(m), "Flags updated 1 min ago");
  m.age_s = 3599;
  EXPECT_EQ(freshness_text(m), "Flags updated 59 min ago");
}

TEST(PremisePanel, StaleCacheSaysHowOld) {
  auto m = test::flagged_premise();
  m.freshness = cache::Freshness::stale;
  m.age_s = 30 * 3600;
  EXPECT_EQ(freshness_text(m), "FLAGS 30 h OLD - may be out of date");
}

// Found from outside: a cache that refused the registry's newer file read
// "Flags updated 6 min ago" though the car knew it was behind.
TEST(PremisePanel, ARegistryAheadOfAFailingSyncIsNamed) {
  EXPECT_EQ(registry_ahead_words("rejected", 2, 3),
            "the registry has newer flags (version 3) that this car could not load (it holds 2)");
  EXPECT_NE(registry_ahead_words("failed", 2, 3), "");
  EXPECT_EQ(registry_ahead_words("transferring", 2, 3), "") << "a sync under way is not a failure";
  EXPECT_EQ(registry_ahead_words("current", 3, 3), "");
  EXPECT_EQ(registry_ahead_words("failed", 3, 3), "") << "a failed check with nothing newer named";
  EXPECT_EQ(registry_ahead_words("failed", std::nullopt, 3), "");
  EXPECT_EQ(registry_ahead_words("failed", 2, std::nullopt), "");
}

TEST(PremisePanel, AClockBehindTheLastSyncSaysTheFlagsMayBeOutOfDate) {
  auto m = test::flagged_premise();
  m.freshness = cache::Freshness::stale;
  m.stale_reason = cache::kClockBehindWords;
  m.age_s.reset();
  EXPECT_EQ(freshness_text(m), "FLAGS MAY BE OUT OF DATE - this laptop's clock reads before the last flag update");
}

TEST(PremisePanel, MatchLevelIsStatedInPlainWords) {
  auto m = test::flagged_premise(cache::MatchLevel::building);
  EXPECT_EQ(match_level_text(m), "Same building, not this unit");
  m = test::flagged_premise(cache::MatchLevel::nearby);
  m.premises[0].distance_m = 40.2;
  EXPECT_EQ(match_level_text(m), "Nearby: 40 m from the dispatch point - no flagged premise at this address");
}

TEST(PremisePanel, AmbiguousAddressAsksToConfirmAndShowsNoFlags) {
  cache::MatchResult m;
  m.freshness = cache::Freshness::fresh;
  m.ambiguous_candidates = {"P-1", "P-9"};
  auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_TRUE(p.show);
  EXPECT_TRUE(p.doc.flag_ids().empty());
  EXPECT_NE(p.doc.to_json().find("confirm the address"), std::string::npos);
  EXPECT_EQ(match_level_text(m),
            "Address ambiguous: 2 flagged premises could match - confirm the address with dispatch");
  // One premise asked about (a near miss, a town that may be another) is
  // not counted as a choice of several.
  m.ambiguous_candidates = {"P-1"};
  EXPECT_EQ(match_level_text(m), "Address not certain: a flagged premise could match - confirm the address with dispatch");
}

TEST(PremisePanel, WeaponsFlagIsSpokenOnce) {
  auto m = test::flagged_premise();
  m.flags.push_back(m.flags[0]);
  m.flags.back().id = "F-9";
  auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_EQ(p.spoken.size(), 1u);
  EXPECT_EQ(p.spoken[0], "Caution: Weapons reported at this address.");
}

TEST(PremisePanel, FlagIdsListEveryFlagFieldForTheAudit) {
  auto p = build_premise_panel(config::Role::patrol, kIncident, test::flagged_premise());
  EXPECT_EQ(p.doc.flag_ids(), (std::vector<std::string>{"F-1", "F-2"}));
}

cache::Flag dementia(const std::string& id, const std::string& premise) {
  cache::Flag f;
  f.id = id;
  f.premise_id = premise;
  f.kind = cache::FlagKind::care;
  f.code = "DEMENTIA";
  f.display_name = "Dementia";
  f.severity = 1;
  f.audience = cache::Audience::all;
  return f;
}

// The building: a dispatch to Apt 5C finds Apt 3B (weapons, autism)
// and Apt 1A (dementia), neither of them the dispatch's unit.
cache::MatchResult neighbours(cache::MatchLevel level) {
  auto m = test::flagged_premise(level);
  cache::Premise one_a{"P-1A", "1208 N MAPLE ST APT 1A, SPRINGFIELD IL", 39.8012, -89.6437, {}, level, {}, "APT 1A"};
  one_a.reasons = m.premises[0].reasons;
  if (level == cache::MatchLevel::nearby) {
    m.premises[0].distance_m = 7.2;
    one_a.distance_m = 7.2;
  }
  m.premises.push_back(one_a);
  m.flags.push_back(dementia("F-1A", "P-1A"));
  return m;
}

const PanelSection* section(const PanelDocument& d, const std::string& id) {
  for (const auto& s : d.sections)
    if (s.id == id) return &s;
  return nullptr;
}

std::vector<std::string> flags_in(const PanelSection* s) {
  std::vector<std::string> out;
  if (s)
    for (const auto& f : s->fields)
      if (!f.flag_id.empty()) out.push_back(f.flag_id);
  return out;
}

TEST(PremisePanel, AnotherUnitsFlagsAreNeverUnderThisAddress) {
  const auto p = build_premise_panel(config::Role::patrol, kIncident, neighbours(cache::MatchLevel::building));
  ASSERT_TRUE(p.show);
  EXPECT_EQ(section(p.doc, "safety"), nullptr) << p.doc.to_json();
  EXPECT_EQ(section(p.doc, "care"), nullptr);
  EXPECT_EQ(section(p.doc, "people"), nullptr) << "a neighbour is named only beside their own flag";
  EXPECT_EQ(section(p.doc, "history"), nullptr);
  const PanelSection* three_b = section(p.doc, "premise.P-1");
  const PanelSection* one_a = section(p.doc, "premise.P-1A");
  ASSERT_NE(three_b, nullptr);
  ASSERT_NE(one_a, nullptr);
  EXPECT_EQ(three_b->title, "Apt 3B, same building");
  EXPECT_EQ(one_a->title, "Apt 1A, same building");
  EXPECT_EQ(flags_in(three_b), (std::vector<std::string>{"F-1", "F-2"}));  // safety first
  EXPECT_EQ(flags_in(one_a), std::vector<std::string>{"F-1A"});
  EXPECT_EQ(three_b->severity, Severity::danger);
  EXPECT_EQ(p.doc.title, "POSSIBLE MATCH - PREMISE HISTORY - SAFETY FLAGS");
}

// A call to the building, which has a record of its own (this address), and
// Apt 3B's records with it one level below: the weapon is on the panel and
// spoken, under Apt 3B, never under this address.
TEST(PremisePanel, AUnitsFlagsOnACallToItsBuildingStayUnderTheUnit) {
  auto m = test::flagged_premise(cache::MatchLevel::building);
  m.premises[0].reasons = {"unit not given"};
  cache::Premise building{"P-B", "1208 N MAPLE ST, SPRINGFIELD IL", 39.8012, -89.6437, {}, cache::MatchLevel::exact,
                          {}, ""};
  m.premises.insert(m.premises.begin(), building);
  m.flags.push_back(dementia("F-B", "P-B"));
  m.level = cache::MatchLevel::exact;
  m.reasons = {"unit not given"};

  const auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_TRUE(p.show);
  EXPECT_EQ(flags_in(section(p.doc, "care")), std::vector<std::string>{"F-B"});
  EXPECT_EQ(section(p.doc, "safety"), nullptr) << "the weapon is not this address's";
  const PanelSection* three_b = section(p.doc, "premise.P-1");
  ASSERT_NE(three_b, nullptr) << p.doc.to_json();
  EXPECT_EQ(three_b->title, "Apt 3B, same building");
  EXPECT_EQ(flags_in(three_b), (std::vector<std::string>{"F-1", "F-2"}));
  EXPECT_EQ(three_b->severity, Severity::danger);
  EXPECT_NE(std::find(p.spoken.begin(), p.spoken.end(), "Caution: Weapons reported in this building."), p.spoken.end());
}

TEST(PremisePanel, MatchLineNamesNoSinglePremiseBelowExact) {
  const auto m = neighbours(cache::MatchLevel::building);
  EXPECT_EQ(match_level_text(m), "Same building, not this unit");
  const auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  const PanelSection* where = section(p.doc, "where");
  ASSERT_NE(where, nullptr);
  ASSERT_GE(where->fields.size(), 2u);
  EXPECT_EQ(where->fields[0].value.find("APT 3B"), std::string::npos);
  EXPECT_EQ(where->fields[1].label, "Why");
  EXPECT_EQ(where->fields[1].value, "other unit in this building");
}

// Found from outside: on a cache 30 hours old (past cache.max_age_h) an
// address with no flags popped nothing, which an officer reads as "no
// flags", though the cache can only say "none as of 30 hours ago".
TEST(PremisePanel, AnOutOfDateCacheSaysSoEvenWhereNoFlagIsOnFile) {
  cache::MatchResult m;
  m.freshness = cache::Freshness::stale;
  m.age_s = 30 * 3600;
  const auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_TRUE(p.show);
  EXPECT_EQ(p.doc.title, "NO FLAGS ON FILE - BUT FLAGS ARE OUT OF DATE");
  EXPECT_EQ(p.doc.severity, Severity::warning);
  const PanelSection* where = section(p.doc, "where");
  ASSERT_NE(where, nullptr);
  EXPECT_EQ(where->severity, Severity::warning) << "a host keeps a warning section in sight";
  EXPECT_NE(p.doc.to_json().find("FLAGS 30 h OLD - may be out of date"), std::string::npos) << p.doc.to_json();
  EXPECT_TRUE(p.doc.flag_ids().empty());
  m.freshness = cache::Freshness::fresh;
  m.age_s = 3600;
  EXPECT_FALSE(build_premise_panel(config::Role::patrol, kIncident, m).show) << "a current cache: no panel";
}

TEST(PremisePanel, MissingCityIsAPossibleMatchNotTheSameBuilding) {
  auto m = test::flagged_premise(cache::MatchLevel::building);
  m.premises[0].reasons = {"city not given"};
  m.reasons = {"city not given"};
  EXPECT_EQ(match_level_text(m), "Possible match, not confirmed as this address");
  const auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_NE(section(p.doc, "premise.P-1"), nullptr);
  EXPECT_EQ(section(p.doc, "premise.P-1")->title, "1208 N Maple St Apt 3B, possible match");
  EXPECT_EQ(p.spoken, std::vector<std::string>{"Caution: Weapons reported at a possible match for this address."});
}

TEST(PremisePanel, NearbyFlagsAreGroupedUnderTheirPremiseWithDistance) {
  const auto p = build_premise_panel(config::Role::patrol, kIncident, neighbours(cache::MatchLevel::nearby));
  const PanelSection* s = section(p.doc, "premise.P-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->title, "1208 N Maple St Apt 3B, 7 m away");
  EXPECT_EQ(section(p.doc, "safety"), nullptr);
}

TEST(PremisePanel, SpokenLineSaysNearbyOrInThisBuildingBelowExact) {
  auto building = build_premise_panel(config::Role::patrol, kIncident, neighbours(cache::MatchLevel::building));
  EXPECT_EQ(building.spoken, std::vector<std::string>{"Caution: Weapons reported in this building."});
  auto nearby = build_premise_panel(config::Role::patrol, kIncident, neighbours(cache::MatchLevel::nearby));
  EXPECT_EQ(nearby.spoken, std::vector<std::string>{"Caution: Weapons reported nearby."});
}

TEST(PremisePanel, FarFromTheCadPointIsSaidInTitleAndSpeech) {
  auto m = test::flagged_premise(cache::MatchLevel::building);
  m.premises[0].distance_m = 4400;
  m.premises[0].reasons = {"4.4 km from the CAD location"};
  m.reasons = m.premises[0].reasons;
  const auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_NE(section(p.doc, "premise.P-1"), nullptr);
  EXPECT_EQ(section(p.doc, "premise.P-1")->title, "1208 N Maple St Apt 3B, 4.4 km from the CAD location");
  EXPECT_EQ(p.spoken,
            std::vector<std::string>{"Caution: Weapons reported at a matching address far from the CAD location."});
}

TEST(PremisePanel, ExactAnswerKeepsAFarPremiseApart) {
  // One premise is this address; the other matched the text but lies far
  // from CAD's point: only the first one's flags are "this address".
  auto m = neighbours(cache::MatchLevel::exact);
  m.premises[1].level = cache::MatchLevel::building;
  m.premises[1].reasons = {"2.1 km from the CAD location"};
  m.premises[1].distance_m = 2100;
  const auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  EXPECT_EQ(flags_in(section(p.doc, "safety")), std::vector<std::string>{"F-1"});
  EXPECT_EQ(flags_in(section(p.doc, "care")), std::vector<std::string>{"F-2"});
  EXPECT_EQ(flags_in(section(p.doc, "premise.P-1A")), std::vector<std::string>{"F-1A"});
}

TEST(PremisePanel, ClinicianSeesSudOfAnotherUnitUnderItsPremiseWithTheNotice) {
  const auto p = build_premise_panel(config::Role::coresponder, kIncident, neighbours(cache::MatchLevel::building));
  const PanelSection* s = section(p.doc, "premise.P-1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(section(p.doc, "sud"), nullptr);
  const auto ids = flags_in(s);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "F-4"), ids.end());
  EXPECT_NE(s->notice.find("42 CFR"), std::string::npos);
  EXPECT_EQ(flags_in(section(p.doc, "premise.P-1A")), std::vector<std::string>{"F-1A"});
}

// Found from outside: Apt 1C is on file only for a clinician-only flag and
// a treatment record. A dispatch to Apt 1C popped nothing for an officer,
// yet one to the building showed "Apt 1C, same building" with its overdose
// call: the section itself told what the officer may not see.
TEST(PremisePanel, APremiseOnFileOnlyForRecordsAnOfficerMayNotSeeIsNotOnTheOfficersPanel) {
  auto m = neighbours(cache::MatchLevel::building);
  m.premises.push_back({"P-1C", "1208 N MAPLE ST APT 1C, SPRINGFIELD IL", 39.8012, -89.6437, {},
                        cache::MatchLevel::building, {"other unit in this building"}, "APT 1C"});
  cache::Flag plan = dementia("F-1C", "P-1C");
  plan.code = "CARE_PLAN";
  plan.audience = cache::Audience::clinician;
  cache::Flag sud = dementia("F-1C-S", "P-1C");
  sud.kind = cache::FlagKind::sud;
  sud.code = "SUD_TREATMENT";
  sud.audience = cache::Audience::clinician;
  m.flags.push_back(plan);
  m.flags.push_back(sud);
  m.history.push_back({"P-1C", "I-77", "2026-05-02T10:00:00Z", "OVERDOSE", "NARCAN ADMINISTERED"});
  m.history.push_back({"P-1A", "I-78", "2026-05-03T10:00:00Z", "WELFARE CHECK", "ADVISED"});
  const std::string officer = build_premise_panel(config::Role::patrol, kIncident, m).doc.to_json();
  EXPECT_EQ(officer.find("P-1C"), std::string::npos) << officer;
  EXPECT_EQ(officer.find("Apt 1C"), std::string::npos);
  EXPECT_EQ(officer.find("NARCAN"), std::string::npos);
  EXPECT_NE(officer.find("ADVISED"), std::string::npos) << "a neighbour with a visible flag keeps its history";
  const std::string clinician = build_premise_panel(config::Role::coresponder, kIncident, m).doc.to_json();
  EXPECT_NE(clinician.find("NARCAN"), std::string::npos) << clinician;
}

TEST(PremisePanel, AFlagWhosePremiseIsNotNamedIsNeverThisAddress) {
  auto m = test::flagged_premise();
  m.flags[0].premise_id = "P-GONE";
  EXPECT_EQ(flag_level(m, m.flags[0]), cache::MatchLevel::building);
  EXPECT_EQ(flag_level(m, m.flags[1]), cache::MatchLevel::exact);
}

}  // namespace
}  // namespace mdtc::plugin
