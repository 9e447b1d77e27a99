#include "incident_journal.h"

#include <gtest/gtest.h>

#include "incident_record.h"
#include "journal_json.h"
#include "temp_dir.h"

namespace mdtc::plugin {
namespace {

TEST(IncidentJournal, KeepsOpenIncidentsAcrossReopenInOrder) {
  test::TempDir dir;
  {
    auto j = IncidentJournal::open(dir.file("j.db"));
    ASSERT_TRUE(j.ok()) << j.error().message;
    ASSERT_TRUE(j->put("I-1", "{\"a\":1}").ok());
    ASSERT_TRUE(j->put("I-2", "{\"b\":2}").ok());
    ASSERT_TRUE(j->put("I-1", "{\"a\":3}").ok());
    ASSERT_TRUE(j->erase("I-2").ok());
  }
  auto j = IncidentJournal::open(dir.file("j.db"));
  auto all = j->all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].first, "I-1");
  EXPECT_EQ((*all)[0].second, "{\"a\":3}");
}

TEST(IncidentJournal, UnwritablePathIsAnError) {
  auto j = IncidentJournal::open("/nonexistent-dir/j.db");
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.error().code, "journal.sqlite");
}

TEST(IncidentRecord, RoundTripsCivicCoordinatesAndRequestState) {
  IncidentRecord r;
  r.summary = {"I-7", "WELFARE CHECK", 2, "17 OAK AVE"};
  r.location.civic.hno = "17";
  r.location.civic.rd = "OAK";
  r.location.civic.sts = "AVE";
  r.location.civic.a3 = "SPRINGFIELD";
  r.location.lat = 39.799;
  r.location.lon = -89.65;
  r.request_id = "2A31-I-7-3";
  r.request = RequestView{};
  r.request->phase = RequestPhase::en_route;
  r.request->by_unit = "CR7";
  r.request->eta_s = 300;
  auto back = incident_record_from_json(to_json(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->summary.id, "I-7");
  EXPECT_EQ(back->summary.priority, 2);
  EXPECT_EQ(back->location.civic.rd, "OAK");
  EXPECT_EQ(back->location.civic.a3, "SPRINGFIELD");
  EXPECT_DOUBLE_EQ(*back->location.lat, 39.799);
  EXPECT_EQ(back->request_id, "2A31-I-7-3");
  EXPECT_EQ(back->request->phase, RequestPhase::en_route);
  EXPECT_EQ(*back->request->eta_s, 300);
}

TEST(IncidentRecord, KeepsCadsDispatchTime) {
  IncidentRecord r;
  r.summary.id = "I-7";
  r.summary.dispatched_ms = 1795341600123;
  auto back = incident_record_from_json(to_json(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->summary.dispatched_ms, 1795341600123);
  r.summary.dispatched_ms.reset();
  back = incident_record_from_json(to_json(r));
  ASSERT_TRUE(back.has_value());
  EXPECT_FALSE(back->summary.dispatched_ms.has_value()) << "a record from before dispatch times";
}

// A journal line damaged on disk: an ETA no int holds is dropped (casting
// it is undefined behaviour), the rest of the record is kept.
TEST(IncidentRecord, AnEtaOutOfRangeIsDroppedNotCast) {
  for (const char* eta : {"1e300", "-1e300", "3000000000"}) {
    auto back = incident_record_from_json(std::string(R"({"incident":{"id":"I-7"},"request":{"id":"R-1","eta_s":)") +
                                          eta + "}}");
    ASSERT_TRUE(back.has_value()) << eta;
    ASSERT_TRUE(back->request.has_value()) << eta;
    EXPECT_FALSE(back->request->eta_s.has_value()) << eta;
  }
  auto ok = incident_record_from_json(R"({"incident":{"id":"I-7"},"request":{"id":"R-1","eta_s":240}})");
  ASSERT_TRUE(ok && ok->request);
  EXPECT_EQ(ok->request->eta_s, 240);
}

TEST(IncidentRecord, RecordWithoutIncidentIdIsRejected) {
  EXPECT_FALSE(incident_record_from_json(R"({"incident":{"call_type":"X"}})").has_value());
  EXPECT_FALSE(incident_record_from_json("[]").has_value());
}

}  // namespace
}  // namespace mdtc::plugin
