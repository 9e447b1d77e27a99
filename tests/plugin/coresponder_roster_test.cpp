// The on-duty list on the officer's request panel and the auto-request rules:
// the pure roster functions, then the pipeline using them.
#include "coresponder_roster.h"

#include <gtest/gtest.h>

#include <ctime>

#include "fake_ports.h"
#include "pipeline.h"
#include "wire_message.h"

namespace mdtc::plugin {
namespace {

const LatLon kIncident{39.8012, -89.6437};
constexpr int Mon = 0;

std::vector<config::DutyShift> roster() {
  auto r = config::parse_duty_schedule(
      "CR7  | Mon-Fri | 08:00-20:00 | CR-7 (Clinician)\n"
      "CR9  | Daily   | 00:00-24:00 | CR-9 (Night clinician)\n"
      "CR11 | Sat-Sun | 08:00-20:00 | CR-11 (Weekend)\n",
      "roster.txt");
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : std::vector<config::DutyShift>{};
}

std::vector<config::AutoRequestRule> rules(const std::string& text) {
  auto r = config::parse_auto_request_rules(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : std::vector<config::AutoRequestRule>{};
}

TEST(OnDutyUnits, OnlyShiftsCoveringNowNearestFirstThenUnknown) {
  std::map<std::string, UnitPosition> pos;
  pos["CR9"] = {{39.8012 + 0.02, -89.6437}, 1000};  // about 2.2 km north
  pos["CR11"] = {{39.8012, -89.6437}, 1000};        // right there, but off duty on a Monday
  auto units = on_duty_units(roster(), {Mon, 12 * 60}, pos, kIncident, 40 / 3.6, 2000);
  ASSERT_EQ(units.size(), 2u);
  EXPECT_EQ(units[0].unit, "CR9");
  ASSERT_TRUE(units[0].distance_m.has_value());
  EXPECT_NEAR(*units[0].distance_m, 2224, 5);
  EXPECT_EQ(units[0].eta_s, 200);  // 2224 m at 40 km/h
  EXPECT_EQ(units[1].unit, "CR7");
  EXPECT_FALSE(units[1].distance_m.has_value());
}

TEST(OnDutyUnits, StalePositionOrUnknownIncidentGivesNoDistance) {
  std::map<std::string, UnitPosition> pos;
  pos["CR9"] = {{39.80, -89.64}, 0};
  auto stale = on_duty_units(roster(), {Mon, 12 * 60}, pos, kIncident, 11, kUnitPositionMaxAgeMs + 1);
  EXPECT_FALSE(stale[0].distance_m.has_value());
  auto fresh = on_duty_units(roster(), {Mon, 12 * 60}, pos, kIncident, 11, kUnitPositionMaxAgeMs);
  EXPECT_TRUE(fresh[0].distance_m.has_value());
  auto nowhere = on_duty_units(roster(), {Mon, 12 * 60}, pos, std::nullopt, 11, 1);
  EXPECT_FALSE(nowhere[0].distance_m.has_value());
}

TEST(AutoRequest, CallTypeAloneMatchesWhateverTheSpelling) {
  EXPECT_TRUE(auto_request_matches(rules("MENTAL HEALTH CRISIS"), " mental  health crisis", {}));
  EXPECT_FALSE(auto_request_matches(rules("MENTAL HEALTH CRISIS"), "WELFARE CHECK", {}));
  EXPECT_FALSE(auto_request_matches({}, "MENTAL HEALTH CRISIS", {"SUICIDE_RISK"}));
}

TEST(AutoRequest, CodesNeedOneOfThemAtTheAddress) {
  const auto r = rules("WELFARE CHECK + DEMENTIA, AUTISM; * + SUICIDE_RISK");
  EXPECT_TRUE(auto_request_matches(r, "WELFARE CHECK", {"WEAPONS", "autism"}));
  EXPECT_FALSE(auto_request_matches(r, "WELFARE CHECK", {"WEAPONS"}));
  EXPECT_FALSE(auto_request_matches(r, "DISTURBANCE", {"AUTISM"}));
  EXPECT_TRUE(auto_request_matches(r, "DISTURBANCE", {"SUICIDE_RISK"}));
}

// --- the pipeline ---------------------------------------------------------

bridge::Message dispatch(const std::string& id, const std::string& address, const std::string& call_type,
                         const std::string& type = "dispatch") {
  bridge::Incident inc;
  inc.id = id;
  inc.call_type = call_type;
  inc.priority = 2;
  inc.units = {"2A31"};
  inc.location.address = address;
  inc.location.lat = kIncident.lat;
  inc.location.lon = kIncident.lon;
  bridge::Message m = test::dispatch_message(inc, "unit.2A31");
  if (type == "incident_update") m.payload = bridge::IncidentUpdate{inc};
  return m;
}

bridge::Message unit_location(const std::string& unit, double lat, double lon) {
  return test::from_wire("unit_location",
                         R"({"unit":")" + unit + R"(","lat":)" + std::to_string(lat) + R"(,"lon":)" +
                             std::to_string(lon) + "}",
                         "all");
}

class RosterPipeline : public ::testing::Test {
 protected:
  RosterPipeline() : pipeline(options(), ports) {
    ports.answer = [](const cache::AddressQuery& q) {
      if (q.address.find("MAPLE") != std::string::npos) return test::flagged_premise();
      cache::MatchResult none;
      none.freshness = cache::Freshness::fresh;
      return none;
    };
  }
  static PipelineOptions options(const std::string& auto_rules = {}) {
    PipelineOptions o;
    o.role = config::Role::patrol;
    o.unit_id = "2A31";
    o.fallback = "Mobile crisis line 555-0199";
    o.schedule_configured = true;
    o.schedule = roster();
    o.auto_request = rules(auto_rules);
    o.eta_speed_mps = 40 / 3.6;
    o.local_time = [](int64_t) { return LocalTime{Mon, 12 * 60}; };
    return o;
  }
  std::string request_panel() const { return ports.panel("coresponder:I-1"); }
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(RosterPipeline, RequestPanelListsWhoIsOnDutyNearestFirstWithEta) {
  pipeline.on_message(unit_location("CR9", kIncident.lat + 0.02, kIncident.lon), 0);
  pipeline.on_message(unit_location("CR11", kIncident.lat, kIncident.lon), 0);  // off duty today
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 10);
  const std::string panel = request_panel();
  ASSERT_NE(panel.find("ON DUTY NOW"), std::string::npos) << panel;
  const auto cr9 = panel.find("CR-9 (Night clinician)"), cr7 = panel.find("CR-7 (Clinician)");
  ASSERT_NE(cr9, std::string::npos);
  ASSERT_NE(cr7, std::string::npos);
  EXPECT_LT(cr9, cr7);
  EXPECT_NE(panel.find("2.2 km, about 4 min"), std::string::npos) << panel;
  EXPECT_NE(panel.find("position unknown"), std::string::npos);
  EXPECT_EQ(panel.find("CR-11"), std::string::npos);
}

TEST_F(RosterPipeline, APositionReportUpdatesTheOpenRequestPanel) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  EXPECT_EQ(request_panel().find("km, about"), std::string::npos);
  pipeline.on_message(unit_location("CR7", kIncident.lat + 0.01, kIncident.lon), 5);
  EXPECT_NE(request_panel().find("1.1 km, about 2 min"), std::string::npos) << request_panel();
  const auto updates = ports.of("update").size();
  pipeline.on_message(unit_location("CR7", kIncident.lat + 0.01, kIncident.lon), 6);  // no change
  EXPECT_EQ(ports.of("update").size(), updates);
}

TEST_F(RosterPipeline, UnscheduledOrMalformedPositionsAreNotKept) {
  pipeline.on_message(unit_location("2B07", 39.8, -89.6), 0);
  EXPECT_EQ(pipeline.counters()["unit_locations"], 0u);
  bridge::Message bad = unit_location("CR7", 95, 0);
  pipeline.on_message(bad, 0);
  bad = test::from_wire("unit_location", R"({"unit":"CR7","lat":"north"})", "all");
  pipeline.on_message(bad, 0);
  EXPECT_EQ(pipeline.counters()["dropped.bad_unit_location"], 2u);
}

TEST_F(RosterPipeline, NobodyScheduledSaysSoAndShowsTheFallbackBeforeAsking) {
  PipelineOptions o = options();
  o.schedule = {};
  Pipeline empty(o, ports);
  empty.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  EXPECT_NE(request_panel().find("No co-responder scheduled now"), std::string::npos) << request_panel();
  EXPECT_NE(request_panel().find("Mobile crisis line 555-0199"), std::string::npos);
}

TEST_F(RosterPipeline, ShiftChangeWhileThePanelIsUpIsShown) {
  int minute = 19 * 60 + 59;
  PipelineOptions o = options();
  o.local_time = [&minute](int64_t) { return LocalTime{Mon, minute}; };
  Pipeline p(o, ports);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  EXPECT_NE(request_panel().find("CR-7 (Clinician)"), std::string::npos);
  minute = 20 * 60;
  p.on_tick(60'000);
  EXPECT_EQ(request_panel().find("CR-7 (Clinician)"), std::string::npos) << request_panel();
  EXPECT_NE(request_panel().find("CR-9"), std::string::npos);
}

TEST_F(RosterPipeline, ByDefaultShiftsFollowTheWallClockNotTheMonotonicOne) {
  // The plugin's now_ms is a monotonic clock (seconds since boot); read as a
  // date it is 1970, so a shift covering this very minute would never match.
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  const int minute = tm.tm_hour * 60 + tm.tm_min;
  config::DutyShift now_shift{"CR7", "CR-7 (Clinician)", 1u << ((tm.tm_wday + 6) % 7), minute, (minute + 2) % 1440, 1};
  PipelineOptions o = options();
  o.schedule = {now_shift};
  o.local_time = nullptr;
  Pipeline p(o, ports);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 5'000);
  EXPECT_NE(request_panel().find("CR-7 (Clinician)"), std::string::npos) << request_panel();
}

TEST_F(RosterPipeline, WithoutAScheduleNoListIsShown) {
  PipelineOptions o = options();
  o.schedule_configured = false;
  Pipeline p(o, ports);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  EXPECT_EQ(request_panel().find("ON DUTY"), std::string::npos);
}

TEST_F(RosterPipeline, CallTypeRuleRequestsWithoutATapEvenWithoutFlags) {
  Pipeline p(options("MENTAL HEALTH CRISIS"), ports);
  p.on_message(dispatch("I-1", "17 OAK AVE", "Mental Health Crisis"), 0);
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find(R"("automatic":true)"), std::string::npos) << sent->body;
  EXPECT_NE(request_panel().find("Requested automatically"), std::string::npos) << request_panel();
  EXPECT_EQ(ports.last("show", "premise:I-1"), nullptr);  // no flags: no premise panel
  EXPECT_EQ(p.counters()["requests_automatic"], 1u);
  // The officer can still call it off.
  ASSERT_TRUE(p.on_user_action("coresponder:I-1", "cancel_request", 1).ok());
  EXPECT_NE(ports.last("send", "coresponder_status"), nullptr);
}

TEST_F(RosterPipeline, FlagRuleRequestsAtAFlaggedAddressOnly) {
  Pipeline p(options("* + AUTISM"), ports);
  p.on_message(dispatch("I-2", "17 OAK AVE", "DISTURBANCE"), 0);
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "DISTURBANCE"), 1);
  ASSERT_NE(ports.last("send", "coresponder_request"), nullptr);
  EXPECT_NE(ports.last("show", "premise:I-1"), nullptr);
}

TEST_F(RosterPipeline, ClinicianOnlyAndSudFlagsNeverTriggerARequest) {
  // The fictional premise carries IN_TREATMENT (clinician-only) and a SUD record.
  Pipeline p(options("* + IN_TREATMENT; * + SUD_TREATMENT"), ports);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr);
}

TEST_F(RosterPipeline, AutomaticRequestIsSentOnceAcrossUpdatesAndRestart) {
  Pipeline p(options("WELFARE CHECK + AUTISM"), ports);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK", "incident_update"), 1);
  EXPECT_EQ(ports.of("send").size(), 1u);

  test::FakePorts after;
  after.answer = ports.answer;
  Pipeline restarted(options("WELFARE CHECK + AUTISM"), after);
  restarted.restore(ports.journal.at("I-1"), 100);
  EXPECT_TRUE(after.of("send").empty());
  const auto* panel = after.last("update", "coresponder:I-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("Requested automatically"), std::string::npos) << panel->body;
}

TEST_F(RosterPipeline, OfficerCancelledAutomaticRequestIsNotResentByAnUpdate) {
  Pipeline p(options("WELFARE CHECK"), ports);
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK"), 0);
  ASSERT_TRUE(p.on_user_action("coresponder:I-1", "cancel_request", 1).ok());
  p.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B", "WELFARE CHECK", "incident_update"), 2);
  EXPECT_EQ(ports.of("send").size(), 2u);  // the request and its cancellation, nothing more
}

}  // namespace
}  // namespace mdtc::plugin
