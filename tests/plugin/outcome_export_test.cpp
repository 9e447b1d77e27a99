#include "outcome_export.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace mdtc::plugin {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kNov1 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

Outcome filed() {
  Outcome o;
  o.request_id = "2A31-I-1-1";
  o.incident_id = "I-1";
  o.unit = "CR7";
  o.requested_by = "auto_rule";
  o.time(OutcomeStep::requested) = kNov1 + 10 * 60 * kMin + 17 * kMin + 5'000;  // 10:17:05
  o.time(OutcomeStep::accepted) = kNov1 + 10 * 60 * kMin + 18 * kMin;
  o.time(OutcomeStep::on_scene) = kNov1 + 10 * 60 * kMin + 39 * kMin + 5'000;   // 22 min later
  o.codes = {{"disposition", "referral_made"}, {"age_band", "25_34"}, {"police_backup", "no"}};
  o.note = "said \"thanks\", left";
  o.recorded_at = "2026-11-01T11:02:00Z";
  return o;
}

std::string csv(const std::vector<Outcome>& records, ExportOptions opt = {}) {
  std::ostringstream out;
  write_outcomes_csv(records, opt, out);
  return out.str();
}

TEST(OutcomeCsv, HeaderThenOneRowWithEveryStepAndCode) {
  EXPECT_EQ(csv({filed()}),
            "request_id,incident_id,unit,requested_by,requested_at,offered_at,accepted_at,en_route_at,"
            "on_scene_at,officer_released_at,cleared_at,minutes_to_on_scene,minutes_to_officer_released,"
            "contact_type,age_band,presenting_issue,services_referred,disposition,police_backup,"
            "transport_by,repeat_contact,note,recorded_at,handoff,handed_off_at\r\n"
            "2A31-I-1-1,I-1,CR7,auto_rule,2026-11-01T10:17:05Z,,2026-11-01T10:18:00Z,,"
            "2026-11-01T10:39:05Z,,,22,,unknown,25_34,unknown,unknown,referral_made,no,unknown,unknown,"
            "\"said \"\"thanks\"\", left\",2026-11-01T11:02:00Z,,\r\n");
}

TEST(OutcomeCsv, TheOfficersHandOffIsTheLastTwoColumns) {
  Outcome o;
  o.request_id = "2A31-I-3-1";
  o.incident_id = "I-3";
  o.unit = "2A31";
  o.requested_by = "officer";
  o.handoff = "telehealth";
  o.time(OutcomeStep::handed_off) = *parse_utc_text("2026-11-01T10:20:00Z");
  const std::string out = csv({o});
  EXPECT_NE(out.find(",recorded_at,handoff,handed_off_at\r\n"), std::string::npos) << out;
  EXPECT_NE(out.find(",telehealth,2026-11-01T10:20:00Z\r\n"), std::string::npos) << out;
}

TEST(OutcomeCsv, DeidentifiedDropsIdsUnitsAndNotesAndRoundsTimesToTheHour) {
  const std::string out = csv({filed()}, {true, true});
  EXPECT_EQ(out,
            "requested_by,requested_at,offered_at,accepted_at,en_route_at,on_scene_at,"
            "officer_released_at,cleared_at,minutes_to_on_scene,minutes_to_officer_released,"
            "contact_type,age_band,presenting_issue,services_referred,disposition,police_backup,"
            "transport_by,repeat_contact,recorded_at,handoff,handed_off_at\r\n"
            "auto_rule,2026-11-01T10:00:00Z,,2026-11-01T10:00:00Z,,2026-11-01T10:00:00Z,,,22,,unknown,"
            "25_34,unknown,unknown,referral_made,no,unknown,unknown,2026-11-01T11:00:00Z,,\r\n");
  for (const char* secret : {"I-1", "CR7", "2A31", "thanks", ":17", ":39", ":02"})
    EXPECT_EQ(out.find(secret), std::string::npos) << secret;
}

TEST(OutcomeCsv, NotesCanBeLeftOutOfAnIdentifiedExport) {
  const std::string out = csv({filed()}, {false, false});
  EXPECT_EQ(out.find("note"), std::string::npos);
  EXPECT_EQ(out.find("thanks"), std::string::npos);
  EXPECT_NE(out.find("2A31-I-1-1"), std::string::npos);
}

TEST(OutcomeJson, SameFieldsWithNullForStepsNotSeen) {
  std::ostringstream out;
  write_outcomes_json({filed()}, {}, out);
  Poco::JSON::Parser p;
  const auto root = p.parse(out.str()).extract<Poco::JSON::Object::Ptr>();
  EXPECT_FALSE(root->getValue<bool>("deidentified"));
  const auto r = root->getArray("records")->getObject(0);
  EXPECT_EQ(r->getValue<std::string>("request_id"), "2A31-I-1-1");
  EXPECT_EQ(r->getValue<std::string>("requested_at"), "2026-11-01T10:17:05Z");
  EXPECT_TRUE(r->isNull("offered_at"));
  EXPECT_TRUE(r->isNull("minutes_to_officer_released"));
  EXPECT_EQ(r->getValue<int>("minutes_to_on_scene"), 22);
  EXPECT_EQ(r->getValue<std::string>("note"), "said \"thanks\", left");
  EXPECT_EQ(r->getValue<std::string>("transport_by"), "unknown");
}

TEST(OutcomeJson, DeidentifiedHasNoIdsNotesOrExactTimes) {
  std::ostringstream out;
  write_outcomes_json({filed()}, {true, true}, out);
  Poco::JSON::Parser p;
  const auto root = p.parse(out.str()).extract<Poco::JSON::Object::Ptr>();
  EXPECT_TRUE(root->getValue<bool>("deidentified"));
  const auto r = root->getArray("records")->getObject(0);
  for (const char* gone : {"request_id", "incident_id", "unit", "note"}) EXPECT_FALSE(r->has(gone)) << gone;
  EXPECT_EQ(r->getValue<std::string>("requested_at"), "2026-11-01T10:00:00Z");
  EXPECT_EQ(r->getValue<std::string>("recorded_at"), "2026-11-01T11:00:00Z");
}

TEST(OutcomePeriod, FromIsInclusiveToIsExclusiveByRequestTime) {
  std::vector<Outcome> records;
  for (int day = 0; day < 3; ++day) {
    Outcome o;
    o.request_id = "R-" + std::to_string(day);
    o.time(OutcomeStep::requested) = kNov1 + day * 24 * 60 * kMin;
    records.push_back(o);
  }
  Outcome old_format;  // a first-version record: only when it was filed
  old_format.request_id = "R-old";
  old_format.recorded_at = "2026-11-02T09:00:00Z";
  records.push_back(old_format);
  Outcome timeless;
  timeless.request_id = "R-none";
  records.push_back(timeless);

  const auto from = parse_period_bound("2026-11-02", "--from");
  const auto to = parse_period_bound("2026-11-03T00:00:00Z", "--to");
  ASSERT_TRUE(from.ok() && to.ok());
  const auto picked = in_period(records, *from, *to);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].request_id, "R-1");
  EXPECT_EQ(picked[1].request_id, "R-old");
  EXPECT_EQ(in_period(records, std::nullopt, std::nullopt).size(), 5u);
  EXPECT_EQ(in_period(records, *from, std::nullopt).size(), 3u);
}

TEST(OutcomePeriod, ABadBoundNamesTheOptionAndTheValue) {
  const auto bad = parse_period_bound("November", "--from");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "outcomes.bad_period");
  EXPECT_NE(bad.error().message.find("--from = 'November'"), std::string::npos);
}

TEST(OutcomeCodes, EveryFieldAllowsUnknownAndDispositionsAreItsCodes) {
  for (const auto& f : outcome_fields()) {
    EXPECT_TRUE(is_outcome_code(f.id, "unknown")) << f.id;
    EXPECT_FALSE(is_outcome_code(f.id, "free text")) << f.id;
  }
  for (const char* d : kDispositions) EXPECT_TRUE(is_outcome_code("disposition", d)) << d;
  EXPECT_EQ(outcome_field("disposition")->codes.size(), std::size(kDispositions) + 1);
  EXPECT_EQ(disposition_label("referral_made"), "Referral made");
}

}  // namespace
}  // namespace mdtc::plugin
