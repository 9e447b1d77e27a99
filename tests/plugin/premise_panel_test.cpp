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

TEST(PremisePanel, MatchLevelIsStatedInPlainWords) {
  auto m = test::flagged_premise(cache::MatchLevel::building);
  EXPECT_NE(match_level_text(m).find("Same building"), std::string::npos);
  m = test::flagged_premise(cache::MatchLevel::nearby);
  m.premises[0].distance_m = 40.2;
  EXPECT_NE(match_level_text(m).find("Nearby: 40 m"), std::string::npos);
}

TEST(PremisePanel, AmbiguousAddressAsksToConfirmAndShowsNoFlags) {
  cache::MatchResult m;
  m.freshness = cache::Freshness::fresh;
  m.ambiguous_candidates = {"P-1", "P-9"};
  auto p = build_premise_panel(config::Role::patrol, kIncident, m);
  ASSERT_TRUE(p.show);
  EXPECT_TRUE(p.doc.flag_ids().empty());
  EXPECT_NE(p.doc.to_json().find("confirm the address"), std::string::npos);
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

}  // namespace
}  // namespace mdtc::plugin
