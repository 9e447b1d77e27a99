#include "outcome_store.h"

#include <gtest/gtest.h>

#include <sstream>

#include "temp_dir.h"

namespace mdtc::plugin {
namespace {

TEST(OutcomeStore, RecordsSurviveReopening) {
  test::TempDir dir;
  {
    auto store = OutcomeStore::open(dir.file("o.db"));
    ASSERT_TRUE(store.ok()) << store.error().message;
    ASSERT_TRUE(store->record({"R-1", "I-1", "CR7", "resolved_on_scene", "", "2026-11-22T10:00:00Z"}).ok());
  }
  auto store = OutcomeStore::open(dir.file("o.db"));
  ASSERT_TRUE(store.ok());
  auto all = store->all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].disposition, "resolved_on_scene");
}

TEST(OutcomeStore, FilingAgainReplacesTheEarlierOutcome) {
  test::TempDir dir;
  auto store = OutcomeStore::open(dir.file("o.db"));
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE(store->record({"R-1", "I-1", "CR7", "arrest", "", "t1"}).ok());
  ASSERT_TRUE(store->record({"R-1", "I-1", "CR7", "referral_made", "", "t2"}).ok());
  auto all = store->all();
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].disposition, "referral_made");
}

TEST(OutcomeStore, UnknownDispositionIsRefused) {
  test::TempDir dir;
  auto store = OutcomeStore::open(dir.file("o.db"));
  auto st = store->record({"R-1", "I-1", "CR7", "went_home", "", "t"});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "outcomes.bad_disposition");
}

TEST(OutcomeCsv, QuotesFieldsWithCommasAndQuotes) {
  std::ostringstream csv;
  write_outcomes_csv({{"R-1", "I-1", "CR7", "referral_made", "said \"thanks\", left", "t"}}, csv);
  EXPECT_EQ(csv.str(),
            "recorded_at,unit,incident_id,request_id,disposition,note\r\n"
            "t,CR7,I-1,R-1,referral_made,\"said \"\"thanks\"\", left\"\r\n");
}

TEST(OutcomeSummary, ProgramSharesCountTransportsHoldsAndArrestsAsEdOrJail) {
  std::ostringstream out;
  write_outcomes_summary({{"1", "", "", "resolved_on_scene", "", ""},
                          {"2", "", "", "connected_to_services", "", ""},
                          {"3", "", "", "involuntary_hold", "", ""},
                          {"4", "", "", "voluntary_transport", "", ""}},
                         out);
  EXPECT_NE(out.str().find("resolved without ED or jail: 2 (50.0%)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("referred or connected to services: 1 (25.0%)"), std::string::npos);
}

}  // namespace
}  // namespace mdtc::plugin
