#include "pipeline.h"

#include <gtest/gtest.h>

#include "fake_ports.h"
#include "journal_json.h"
#include "mdtc/registry_line.h"
#include "temp_dir.h"
#include "wire_message.h"

namespace mdtc::plugin {
namespace {

bridge::Message dispatch(const std::string& id, const std::string& address,
                         const std::string& topic = "unit.2A31",
                         std::vector<std::string> units = {"2A31"}) {
  bridge::Incident inc;
  inc.id = id;
  inc.call_type = "WELFARE CHECK";
  inc.priority = 2;
  inc.units = std::move(units);
  inc.location.address = address;
  inc.location.lat = 39.8012;
  inc.location.lon = -89.6437;
  return test::dispatch_message(inc, topic);
}

// The same incident as an incident_update.
bridge::Message as_update(bridge::Message m) {
  m.payload = bridge::IncidentUpdate{*m.incident()};
  return m;
}

bridge::Message wire(const std::string& type, const std::string& body,
                     const std::string& topic = "unit.2A31") {
  return test::from_wire(type, body, topic);
}

// A cancel or unit_cleared for one incident, as the link decodes it.
bridge::Message closing(const std::string& type, const std::string& incident_id,
                        const std::string& topic = "unit.2A31", const std::string& extra = {}) {
  return wire(type, R"({"incident_id":")" + incident_id + "\"" + extra + "}", topic);
}

gps::Fix fix_at(double lat, double lon) {
  gps::Fix fix;
  fix.mode = gps::Mode::fix_3d;
  fix.lat = lat;
  fix.lon = lon;
  return fix;
}

class PatrolPipeline : public ::testing::Test {
 protected:
  PatrolPipeline() : pipeline(options(), ports) {
    ports.answer = [](const cache::AddressQuery& q) {
      if (q.address.find("MAPLE") != std::string::npos) return test::flagged_premise();
      cache::MatchResult none;
      none.freshness = cache::Freshness::fresh;
      return none;
    };
  }
  static PipelineOptions options() {
    PipelineOptions o;
    o.role = config::Role::patrol;
    o.unit_id = "2A31";
    o.accept_timeout_s = 120;
    o.fallback = "Mobile crisis line 555-0199";
    return o;
  }
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(PatrolPipeline, FlaggedDispatchPopsPremiseAndRequestPanels) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  auto shows = ports.of("show");
  ASSERT_EQ(shows.size(), 2u);
  EXPECT_EQ(shows[0].id, "premise:I-1");
  EXPECT_EQ(shows[1].id, "coresponder:I-1");
  EXPECT_NE(shows[0].body.find("Legally owns rifles"), std::string::npos);
  EXPECT_NE(shows[1].body.find("request_coresponder"), std::string::npos);
}

TEST_F(PatrolPipeline, UnflaggedDispatchPopsNothing) {
  pipeline.on_message(dispatch("I-2", "400 E ADAMS ST"), 0);
  EXPECT_TRUE(ports.of("show").empty());
  EXPECT_EQ(pipeline.counters()["unflagged"], 1u);
}

TEST_F(PatrolPipeline, EveryDisplayedFlagIsAudited) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  auto audits = ports.of("audit");
  ASSERT_EQ(audits.size(), 1u);
  EXPECT_EQ(audits[0].id, "I-1");
  EXPECT_EQ(audits[0].body, "F-1,F-2,");
}

TEST_F(PatrolPipeline, WeaponsFlagIsSpokenOnFirstShowOnly) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  auto update = dispatch("I-1", "1208 N MAPLE ST APT 3B");
  update = as_update(update);
  pipeline.on_message(update, 10);
  auto notes = ports.of("notify");
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0].body, "Caution: Weapons reported at this address.");
  EXPECT_EQ(ports.of("update").size(), 2u) << "both panels refreshed by the update";
}

TEST_F(PatrolPipeline, DispatchOnSharedTopicForAnotherUnitIsIgnored) {
  pipeline.on_message(dispatch("I-3", "1208 N MAPLE ST APT 3B", "all", {"1B12"}), 0);
  EXPECT_TRUE(ports.of("show").empty());
  EXPECT_TRUE(ports.queries.empty());
  pipeline.on_message(dispatch("I-4", "1208 N MAPLE ST APT 3B", "all", {"1B12", "2A31"}), 0);
  EXPECT_EQ(ports.of("show").size(), 2u);
}

TEST_F(PatrolPipeline, UpdateToUnflaggedAddressTakesPanelsDown) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  auto corrected = dispatch("I-1", "1280 S ELM ST");
  corrected = as_update(corrected);
  pipeline.on_message(corrected, 5);
  auto closes = ports.of("close");
  ASSERT_EQ(closes.size(), 2u);
  EXPECT_EQ(closes[0].id, "premise:I-1");
  EXPECT_EQ(closes[1].id, "coresponder:I-1");
}

// Found from outside: a request already sent kept its panel on the old
// address, with the old address's reason, after CAD moved the call to an
// address with no flags.
TEST_F(PatrolPipeline, AStandingRequestFollowsTheCallToAnUnflaggedAddress) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  pipeline.on_message(as_update(dispatch("I-1", "400 E ADAMS ST")), 5);
  EXPECT_NE(ports.last("close", "premise:I-1"), nullptr);
  EXPECT_EQ(ports.last("close", "coresponder:I-1"), nullptr) << "the request still stands";
  const std::string panel = ports.panel("coresponder:I-1");
  EXPECT_NE(panel.find("400 E ADAMS ST"), std::string::npos) << panel;
  EXPECT_EQ(panel.find("MAPLE"), std::string::npos) << panel;
  EXPECT_EQ(panel.find("Autism"), std::string::npos) << panel;
  EXPECT_NE(panel.find("waiting for a clinician"), std::string::npos) << panel;
  EXPECT_EQ(ports.journal.count("I-1"), 1u) << "the standing request is kept across a restart";
}

TEST_F(PatrolPipeline, CancelClosesTheIncidentsPanels) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  pipeline.on_message(closing("cancel", "I-1"), 1);
  EXPECT_EQ(ports.of("close").size(), 2u);
}

TEST_F(PatrolPipeline, RequestCarriesCareCodesButNoNotesOrClinicianContent) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"reasons\":[\"AUTISM\"]"), std::string::npos) << sent->body;
  for (const char* secret : {"IN_TREATMENT", "SUD", "Dr. A", "Nonverbal", "rifles", "J. Doe"})
    EXPECT_EQ(sent->body.find(secret), std::string::npos) << secret << " in " << sent->body;
  const auto* panel = ports.last("update", "coresponder:I-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("waiting for a clinician"), std::string::npos);
}

TEST_F(PatrolPipeline, AcceptanceShowsWhoAndEta) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  pipeline.on_message(wire("coresponder_status",
                           R"({"request_id":"2A31-I-1-1","incident_id":"I-1","state":"accepted",)"
                           R"("by_unit":"CR7","by_name":"CR-7 Clinician","eta_s":360})"),
                      2);
  const auto* panel = ports.last("update", "coresponder:I-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("Accepted by CR-7 Clinician (CR7), ETA 6 min"), std::string::npos)
      << panel->body;
}

TEST_F(PatrolPipeline, StatusForSomeoneElsesRequestIsIgnored) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  const auto before = ports.calls.size();
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"1B12-I-9-1","state":"accepted"})"), 2);
  EXPECT_EQ(ports.calls.size(), before);
}

TEST_F(PatrolPipeline, NobodyAcceptingInTimeShowsTheFallback) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1000).ok());
  pipeline.on_tick(1000 + 119'000);
  EXPECT_EQ(pipeline.counters()["requests_timed_out"], 0u);
  pipeline.on_tick(1000 + 120'000);
  const auto* panel = ports.last("update", "coresponder:I-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("Nobody accepted in time"), std::string::npos);
  EXPECT_NE(panel->body.find("Mobile crisis line 555-0199"), std::string::npos);
}

TEST_F(PatrolPipeline, RequestTheLinkRefusedSaysNotSentAndNeverTimesOut) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ports.send_answer = plugin::Sent::failed;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1000).ok());
  const auto* panel = ports.last("update", "coresponder:I-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("NOT SENT"), std::string::npos) << panel->body;
  EXPECT_EQ(panel->body.find("waiting for a clinician"), std::string::npos) << panel->body;
  EXPECT_NE(panel->body.find("request_coresponder"), std::string::npos) << "the officer can ask again";
  EXPECT_EQ(pipeline.counters()["requests_not_sent"], 1u);
  pipeline.on_tick(1000 + 121'000);
  EXPECT_EQ(pipeline.counters()["requests_timed_out"], 0u);
  EXPECT_EQ(ports.last("update", "coresponder:I-1")->body.find("Nobody accepted"), std::string::npos);
}

TEST_F(PatrolPipeline, RequestSentButNotKeptSaysSoOnThePanel) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ports.send_answer = plugin::Sent::not_kept;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1000).ok());
  EXPECT_EQ(ports.of("send").size(), 1u);
  const auto* panel = ports.last("update", "coresponder:I-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("waiting for a clinician unit"), std::string::npos) << panel->body;
  EXPECT_NE(panel->body.find("not kept if the MDT restarts"), std::string::npos) << panel->body;
  EXPECT_EQ(pipeline.counters()["requests_not_kept"], 1u);
}

TEST_F(PatrolPipeline, StorageFaultIsOneStatusLineUntilItClears) {
  plugin::StorageStatus full{false, "STORAGE FULL", "The MDT's disk is full: ..."};
  pipeline.on_storage_status(full);
  pipeline.on_storage_status(full);
  EXPECT_EQ(ports.of("show").size(), 1u);
  ASSERT_NE(ports.last("show", "status:storage"), nullptr);
  EXPECT_NE(ports.last("show", "status:storage")->body.find("STORAGE FULL"), std::string::npos);
  pipeline.on_storage_status({});
  EXPECT_NE(ports.last("close", "status:storage"), nullptr);
}

TEST_F(PatrolPipeline, AvlTheLinkRefusedIsCountedAndTriedAgain) {
  gps::Fix fix = fix_at(39.80, -89.64);
  ports.send_answer = plugin::Sent::failed;
  pipeline.on_fix(fix, 0);
  EXPECT_EQ(pipeline.counters()["avl_dropped"], 1u);
  ports.send_answer = plugin::Sent::kept;
  pipeline.on_fix(fix, 1000);
  EXPECT_EQ(pipeline.counters()["avl_sent"], 1u);
}

// Issue 17: the panel says how far the call is from this car.
TEST_F(PatrolPipeline, PremisePanelSaysHowFarTheCallIsFromThisCar) {
  pipeline.on_fix(fix_at(39.80, -89.64), 0);
  bridge::Message m = dispatch("I-1", "1208 N MAPLE ST APT 3B");
  m.as<bridge::Dispatch>()->incident.location.lat = 39.82;  // about 2.2 km north
  m.as<bridge::Dispatch>()->incident.location.lon = -89.64;
  pipeline.on_message(m, 500);
  const auto* shown = ports.last("show", "premise:I-1");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find(R"({"label":"Distance","value":"2.2 km from this car")"), std::string::npos) << shown->body;
}

TEST_F(PatrolPipeline, PanelTheHostRefusedIsShownAgainNeverUpdated) {
  ports.show_answers = {test::FakePorts::Shown::refused, test::FakePorts::Shown::refused};
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  EXPECT_EQ(ports.of("show").size(), 2u);
  EXPECT_EQ(pipeline.counters()["panels_refused"], 2u);
  // A change before the retry must not go out as an update of a panel that is not up.
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 500);
  EXPECT_TRUE(ports.of("update").empty());
  pipeline.on_tick(1000);
  auto shows = ports.of("show");
  ASSERT_GE(shows.size(), 4u);
  EXPECT_EQ(pipeline.counters()["panels_shown"], 2u);
  EXPECT_EQ(shows[shows.size() - 2].id, "premise:I-1");
  EXPECT_EQ(shows.back().id, "coresponder:I-1");
  // Once up, a change is an update, and nothing is retried any more.
  const auto before = ports.calls.size();
  pipeline.on_tick(2000);
  EXPECT_EQ(ports.of("show").size(), shows.size()) << "no retry once the host has it";
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 2500);
  EXPECT_GT(ports.of("update").size(), 0u);
  EXPECT_GT(ports.calls.size(), before);
}

TEST_F(PatrolPipeline, PanelTheHostNoLongerHasIsShownAgainWhole) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ports.update_answers = {test::FakePorts::Shown::not_found};
  ports.calls.clear();
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 1000);
  ASSERT_FALSE(ports.calls.empty());
  EXPECT_EQ(ports.calls[0].what, "update");
  EXPECT_EQ(ports.calls[1].what, "show");
  EXPECT_EQ(ports.calls[1].id, ports.calls[0].id);
}

TEST_F(PatrolPipeline, AnotherUnitClearingOnTheSharedTopicLeavesOurPanels) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  pipeline.on_message(closing("unit_cleared", "I-1", "all", R"(,"unit":"1B12")"), 1);
  EXPECT_TRUE(ports.of("close").empty());
  pipeline.on_message(closing("unit_cleared", "I-1"), 2);
  EXPECT_EQ(ports.of("close").size(), 2u);
}

TEST_F(PatrolPipeline, CancellingTheIncidentWithdrawsAStandingRequest) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  pipeline.on_message(closing("cancel", "I-1"), 2);
  const auto* sent = ports.last("send", "coresponder_status");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"state\":\"cancelled\""), std::string::npos);
  EXPECT_NE(sent->body.find("\"request_id\":\"2A31-I-1-1\""), std::string::npos);
}

TEST_F(PatrolPipeline, CancellingAnUnrequestedIncidentSendsNothing) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  pipeline.on_message(closing("cancel", "I-1"), 2);
  EXPECT_TRUE(ports.of("send").empty());
}

TEST_F(PatrolPipeline, OfficerCancelTellsTheCoresponders) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "cancel_request", 2).ok());
  ASSERT_NE(ports.last("send", "coresponder_status"), nullptr);
  EXPECT_NE(ports.last("update", "coresponder:I-1")->body.find("Request cancelled"), std::string::npos);
}

TEST_F(PatrolPipeline, WipeErasesTheCacheAndClearsTheScreen) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  pipeline.on_message(wire("wipe", R"({"reason":"laptop reported stolen"})"), 1);
  EXPECT_EQ(ports.of("wipe").size(), 1u);
  EXPECT_EQ(ports.of("close").size(), 2u);
  EXPECT_TRUE(ports.journal.empty());
}

TEST_F(PatrolPipeline, ActionOnUnknownPanelIsAnError) {
  auto st = pipeline.on_user_action("coresponder:I-404", "request_coresponder", 0);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "plugin.unknown_panel");
}

TEST_F(PatrolPipeline, UnavailableCacheShowsFlagsUnavailable) {
  ports.answer = [](const cache::AddressQuery&) {
    cache::MatchResult r;
    r.freshness = cache::Freshness::unavailable;
    r.unavailable_reason = "cache not open";
    return r;
  };
  pipeline.on_message(dispatch("I-5", "400 E ADAMS ST"), 0);
  const auto* shown = ports.last("show", "premise:I-5");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find("FLAGS UNAVAILABLE"), std::string::npos);
}

// Found from outside: calls dispatched while the cache could not answer
// kept FLAGS UNAVAILABLE after it opened, and a flag a sync brought never
// reached a call already open. A cache change looks the open calls up again.
TEST_F(PatrolPipeline, OpenCallsAreLookedUpAgainWhenTheCacheChanges) {
  bool open = false;
  ports.answer = [&](const cache::AddressQuery& q) {
    if (open && q.address.find("MAPLE") != std::string::npos) return test::flagged_premise();
    cache::MatchResult r;
    r.freshness = open ? cache::Freshness::fresh : cache::Freshness::unavailable;
    if (!open) r.unavailable_reason = "cache not open";
    return r;
  };
  pipeline.on_message(dispatch("I-5", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_NE(ports.panel("premise:I-5").find("FLAGS UNAVAILABLE"), std::string::npos);
  EXPECT_TRUE(ports.of("audit").empty());
  open = true;
  pipeline.on_cache_changed(1'000);
  const std::string now = ports.panel("premise:I-5");
  EXPECT_EQ(now.find("FLAGS UNAVAILABLE"), std::string::npos) << now;
  EXPECT_NE(now.find("Legally owns rifles"), std::string::npos) << now;
  EXPECT_EQ(ports.of("audit").size(), 1u);
  const auto said = ports.of("notify").size();
  EXPECT_GE(said, 1u) << "the weapons caution, said now that it is known";
  const auto calls = ports.calls.size();
  pipeline.on_cache_changed(2'000);  // a delta that changed nothing here
  EXPECT_EQ(ports.calls.size(), calls) << "nothing on screen changes, and nothing is audited or said again";
  pipeline.on_message(dispatch("I-6", "400 E ADAMS ST"), 3'000);
  pipeline.on_cache_changed(4'000);
  EXPECT_EQ(ports.panel("premise:I-6"), "") << "an unflagged call stays without a panel";
}

TEST_F(PatrolPipeline, LinkDownShowsStatusAndLinkUpClearsIt) {
  pipeline.on_link_status({false, 40, "CAD link down 40 s"});
  const auto* shown = ports.last("show", "status:cad-link");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find("CAD link down 40 s"), std::string::npos);
  pipeline.on_link_status({true, 0, {}});
  EXPECT_NE(ports.last("close", "status:cad-link"), nullptr);
}

TEST_F(PatrolPipeline, AvlIsSentOnIntervalOrRealMoveOnly) {
  gps::Fix fix = fix_at(39.80, -89.64);
  pipeline.on_fix(fix, 0);
  fix.lat = 39.8001;  // about 11 m: not a real move
  pipeline.on_fix(fix, 1000);
  EXPECT_EQ(ports.of("send").size(), 1u);
  pipeline.on_fix(fix, 31'000);
  EXPECT_EQ(ports.of("send").size(), 2u);
  fix.lat = 39.81;  // about 1.1 km
  pipeline.on_fix(fix, 32'000);
  EXPECT_EQ(ports.of("send").size(), 3u);
}

// Found from outside: reports resent after the gateway came back arrived out
// of order, and none carried the fix time protocol.md lists, so a gateway
// could not tell the newest position from the last to arrive.
TEST_F(PatrolPipeline, AvlCarriesTheTimeOfItsFix) {
  gps::Fix fix = fix_at(39.80, -89.64);
  fix.time_ms = 1'796'637'600'000;  // 2026-12-07T10:00:00Z
  pipeline.on_fix(fix, 0);
  const auto* sent = ports.last("send", "avl");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find(R"("fix_at":"2026-12-07T10:00:00.000Z")"), std::string::npos) << sent->body;
}

TEST_F(PatrolPipeline, NoFixIsNotAPosition) {
  gps::Fix fix;
  fix.mode = gps::Mode::no_fix;
  fix.lat = 39.80;
  fix.lon = -89.64;
  pipeline.on_fix(fix, 0);
  EXPECT_FALSE(pipeline.position(0).has_value());
  EXPECT_TRUE(ports.of("send").empty());
}

TEST_F(PatrolPipeline, PositionGoesStale) {
  gps::Fix fix;
  fix.mode = gps::Mode::fix_2d;
  fix.lat = 39.80;
  fix.lon = -89.64;
  pipeline.on_fix(fix, 0);
  EXPECT_TRUE(pipeline.position(10'000).has_value());
  EXPECT_FALSE(pipeline.position(10'001).has_value());
}

class ClinicianPipeline : public ::testing::Test {
 protected:
  ClinicianPipeline() : pipeline(options(), ports) {
    ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  }
  static PipelineOptions options() {
    PipelineOptions o;
    o.role = config::Role::coresponder;
    o.unit_id = "CR7";
    o.unit_name = "CR-7 Clinician";
    return o;
  }
  bridge::Message request() {
    return wire("coresponder_request",
                R"({"request_id":"2A31-I-1-1","incident_id":"I-1","from_unit":"2A31",)"
                R"("call_type":"WELFARE CHECK","address":"1208 N MAPLE ST APT 3B",)"
                R"("lat":39.8012,"lon":-89.6437,"reasons":["AUTISM"],)"
                R"("dispatched_at":"2026-11-22T10:00:00.000Z"})",
                "unit.CR7");
  }
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(ClinicianPipeline, OfferShowsTheIncidentNumberAndTheDispatchTimeTheRequestCarried) {
  pipeline.on_message(request(), 0);
  const auto* shown = ports.last("show", "offer:2A31-I-1-1");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find(R"({"label":"Incident","value":"I-1")"), std::string::npos) << shown->body;
  EXPECT_NE(shown->body.find(R"({"label":"Dispatched","value":"2026-11-22 10:00 UTC")"), std::string::npos);
  EXPECT_EQ(shown->body.find("Restored"), std::string::npos);
}

TEST_F(ClinicianPipeline, RequestPopsOfferWithClinicianDetail) {
  pipeline.on_message(request(), 0);
  const auto* shown = ports.last("show", "offer:2A31-I-1-1");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find("Dr. A"), std::string::npos);
  EXPECT_NE(shown->body.find("42 CFR part 2"), std::string::npos);
  EXPECT_NE(shown->body.find("\"id\":\"accept\""), std::string::npos);
  EXPECT_EQ(ports.of("audit").size(), 1u);
}

TEST_F(ClinicianPipeline, RepeatedRequestIsShownOnce) {
  pipeline.on_message(request(), 0);
  pipeline.on_message(request(), 1);
  EXPECT_EQ(ports.of("show").size(), 1u);
}

TEST_F(ClinicianPipeline, AcceptSendsResponseWithEtaFromPosition) {
  gps::Fix fix;
  fix.mode = gps::Mode::fix_3d;
  fix.lat = 39.7817;  // about 2.2 km south of the call
  fix.lon = -89.6501;
  pipeline.on_fix(fix, 0);
  pipeline.on_message(request(), 10);
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 20).ok());
  const auto* sent = ports.last("send", "coresponder_response");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"accepted\":true"), std::string::npos);
  EXPECT_NE(sent->body.find("\"eta_s\":"), std::string::npos);
  EXPECT_NE(sent->body.find("\"name\":\"CR-7 Clinician\""), std::string::npos);
  EXPECT_FALSE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 30).ok())
      << "an offer is answered once";
}

TEST_F(ClinicianPipeline, DeclineSendsRefusal) {
  pipeline.on_message(request(), 0);
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "decline", 1).ok());
  const auto* sent = ports.last("send", "coresponder_response");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"accepted\":false"), std::string::npos);
}

// Found from outside: after Decline the screen kept the clinician-only and
// 42 CFR Part 2 detail until dismissed; "taken" and "cancelled" likewise.
TEST_F(ClinicianPipeline, AnOfferThisUnitIsNotGoingToKeepsNoClinicianDetail) {
  const auto detail_gone = [&](const std::string& rid) {
    const std::string panel = ports.panel("offer:" + rid);
    return !panel.empty() && panel.find("Dr. A") == std::string::npos &&
           panel.find("42 CFR part 2") == std::string::npos;
  };
  pipeline.on_message(request(), 0);
  ASSERT_FALSE(detail_gone("2A31-I-1-1")) << "shown while the offer is open";
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "decline", 1).ok());
  EXPECT_TRUE(detail_gone("2A31-I-1-1")) << ports.panel("offer:2A31-I-1-1");
  for (const char* state : {"taken", "cancelled"}) {
    const std::string rid = std::string("2A31-I-2-") + state;
    pipeline.on_message(wire("coresponder_request",
                             R"({"request_id":")" + rid + R"(","incident_id":"I-2","from_unit":"2A31","address":"1208 N MAPLE ST APT 3B"})",
                             "unit.CR7"),
                        2);
    ASSERT_FALSE(detail_gone(rid));
    pipeline.on_message(wire("coresponder_status", R"({"request_id":")" + rid + R"(","state":")" + state + R"("})", "unit.CR7"),
                        3);
    EXPECT_TRUE(detail_gone(rid)) << state << ": " << ports.panel("offer:" + rid);
  }
}

TEST_F(ClinicianPipeline, TakenByAnotherUnitUpdatesTheOffer) {
  pipeline.on_message(request(), 0);
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"2A31-I-1-1","state":"taken"})",
                           "unit.CR7"),
                      1);
  const auto* panel = ports.last("update", "offer:2A31-I-1-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find("Taken by another unit"), std::string::npos);
}

TEST_F(ClinicianPipeline, RequestWithoutIdIsDroppedAndCounted) {
  pipeline.on_message(wire("coresponder_request", R"({"incident_id":"I-1"})", "unit.CR7"), 0);
  // Reasons that are not text, and a body that is not JSON, never reach
  // the pipeline: the bridge refuses them, and the link counts them.
  EXPECT_EQ(bridge::decode("unit.CR7", R"({"v":1,"type":"coresponder_request","seq":1,"incident_id":"I-1",)"
                                       R"("request_id":"R-2","reasons":[{"x":1}]})")
                .error()
                .code,
            "wire.bad_type");
  EXPECT_EQ(bridge::decode("unit.CR7", "not json").error().code, "wire.bad_json");
  pipeline.on_message(wire("coresponder_request", R"({"request_id":"R-2","reasons":[{"x":1}]})", "unit.CR7"), 0);
  EXPECT_TRUE(ports.of("show").empty());
  EXPECT_EQ(pipeline.counters()["dropped.bad_request"], 1u);
}

TEST_F(ClinicianPipeline, StatusProgressionIsSentToTheOfficer) {
  pipeline.on_message(request(), 0);
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 1).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "en_route", 2).ok());
  const auto* sent = ports.last("send", "coresponder_status");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"state\":\"en_route\""), std::string::npos);
}

}  // namespace
}  // namespace mdtc::plugin

namespace mdtc::plugin {
namespace {

TEST_F(ClinicianPipeline, OutcomeIsFiledAfterClearingWithItsNote) {
  pipeline.on_message(request(), 0);
  for (const char* a : {"accept", "en_route", "on_scene"})
    ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", a, 1).ok()) << a;
  EXPECT_FALSE(pipeline.on_user_action("offer:2A31-I-1-1", "referral_made", 2).ok())
      << "no outcome before the call is cleared";
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "clear", 3).ok());
  const auto* cleared = ports.last("update", "offer:2A31-I-1-1");
  ASSERT_NE(cleared, nullptr);
  EXPECT_NE(cleared->body.find("\"id\":\"connected_to_services\""), std::string::npos);
  ASSERT_TRUE(pipeline
                  .on_user_action("offer:2A31-I-1-1", "referral_made", 4,
                                  R"({"note":"Follow-up booked"})")
                  .ok());
  const auto* filed = ports.last("outcome");
  ASSERT_NE(filed, nullptr);
  EXPECT_EQ(filed->id, "2A31-I-1-1");
  EXPECT_EQ(filed->body, "referral_made|Follow-up booked");
}

}  // namespace
}  // namespace mdtc::plugin

namespace mdtc::plugin {
namespace {

TEST_F(PatrolPipeline, FlaggedIncidentIsJournaledAndForgottenWhenClosed) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_EQ(ports.journal.count("I-1"), 1u);
  EXPECT_EQ(ports.journal["I-1"].find("rifles"), std::string::npos) << "no flag content on disk";
  pipeline.on_message(closing("cancel", "I-1"), 1);
  EXPECT_EQ(ports.journal.count("I-1"), 0u);
}

TEST_F(PatrolPipeline, UnflaggedIncidentIsNotJournaled) {
  pipeline.on_message(dispatch("I-2", "400 E ADAMS ST"), 0);
  EXPECT_TRUE(ports.journal.empty());
}

TEST_F(PatrolPipeline, RestartRestoresPanelsAndWhoAccepted) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  pipeline.on_message(wire("coresponder_status",
                           R"({"request_id":"2A31-I-1-1","state":"accepted","by_unit":"CR7","by_name":"CR-7","eta_s":240})"),
                      2);
  const std::string saved = ports.journal.at("I-1");

  test::FakePorts after;
  after.answer = ports.answer;
  Pipeline restarted(options(), after);
  restarted.restore(saved, 100);
  ASSERT_NE(after.last("show", "premise:I-1"), nullptr);
  const auto* request = after.last("update", "coresponder:I-1");
  ASSERT_NE(request, nullptr);
  EXPECT_NE(request->body.find("Accepted by CR-7 (CR7), ETA 4 min"), std::string::npos) << request->body;
  // A new request for the same incident gets a fresh id.
  ASSERT_TRUE(restarted.on_user_action("coresponder:I-1", "cancel_request", 101).ok());
  ASSERT_TRUE(restarted.on_user_action("coresponder:I-1", "request_coresponder", 102).ok());
  EXPECT_NE(after.last("send", "coresponder_request")->body.find("2A31-I-1-2"), std::string::npos);
}

// CAD's sent_at of the dispatch: 2026-11-22T10:00:00Z.
constexpr int64_t kDispatchedMs = 1795341600000;
constexpr int64_t kHourMs = 3600 * 1000;

bridge::Message dispatched_at(bridge::Message m, const std::string& sent_at) {
  m.sent_at = sent_at;
  return m;
}

// A flagged incident journaled by a unit that was then switched off.
std::string journaled_incident(const std::string& sent_at) {
  test::FakePorts ports;
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  PipelineOptions o;
  o.unit_id = "2A31";
  o.wall_ms = [] { return kDispatchedMs; };
  Pipeline before(o, ports);
  before.on_message(dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), sent_at), 0);
  return ports.journal.at("I-1");
}

TEST_F(PatrolPipeline, EveryIncidentPanelShowsTheIncidentNumberAndCadsDispatchTime) {
  pipeline.on_message(dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), "2026-11-22T10:00:00Z"), 0);
  for (const char* id : {"premise:I-1", "coresponder:I-1"}) {
    const auto* shown = ports.last("show", id);
    ASSERT_NE(shown, nullptr) << id;
    EXPECT_NE(shown->body.find(R"({"label":"Incident","value":"I-1")"), std::string::npos) << shown->body;
    EXPECT_NE(shown->body.find(R"({"label":"Dispatched","value":"2026-11-22 10:00 UTC")"), std::string::npos)
        << shown->body;
    EXPECT_EQ(shown->body.find("Restored"), std::string::npos) << "a live call is not marked restored";
  }
}

TEST_F(PatrolPipeline, UpdateKeepsTheDispatchTimeAndANewDispatchReplacesIt) {
  pipeline.on_message(dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), "2026-11-22T10:00:00Z"), 0);
  auto update = dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), "2026-11-22T10:20:00Z");
  update = as_update(update);
  pipeline.on_message(update, 1);
  EXPECT_NE(ports.last("update", "premise:I-1")->body.find("2026-11-22 10:00 UTC"), std::string::npos);
  pipeline.on_message(dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), "2026-11-22T11:05:00Z"), 2);
  EXPECT_NE(ports.last("update", "premise:I-1")->body.find("2026-11-22 11:05 UTC"), std::string::npos);
}

TEST_F(PatrolPipeline, DispatchWithoutReadableCadTimeIsDatedWhenItReachedTheCar) {
  PipelineOptions o = options();
  o.wall_ms = [] { return kDispatchedMs + 5 * 60 * 1000; };
  test::FakePorts p;
  p.answer = ports.answer;
  Pipeline pl(o, p);
  pl.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);  // no sent_at
  EXPECT_NE(p.last("show", "premise:I-1")->body.find("2026-11-22 10:05 UTC"), std::string::npos);
}

TEST_F(PatrolPipeline, RestoredPanelSaysItWasRestoredAndWhenTheCallWasDispatched) {
  const std::string saved = journaled_incident("2026-11-22T10:00:00Z");
  test::FakePorts after;
  after.answer = ports.answer;
  PipelineOptions o = options();
  o.wall_ms = [] { return kDispatchedMs + 2 * kHourMs; };
  Pipeline restarted(o, after);
  restarted.restore(saved, 0);
  const auto* shown = after.last("show", "premise:I-1");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find("Shown again after an MDT restart - call dispatched 2026-11-22 10:00 UTC"),
            std::string::npos)
      << shown->body;
  EXPECT_NE(shown->body.find(R"({"label":"Incident","value":"I-1")"), std::string::npos);
  // CAD speaking of the call again makes it live, no longer merely restored.
  restarted.on_message(dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), "2026-11-22T10:00:00Z"), 1);
  EXPECT_EQ(after.last("update", "premise:I-1")->body.find("Restored"), std::string::npos);
}

TEST_F(PatrolPipeline, JournaledCallOlderThanMaxAgeIsNotRestoredAndLeavesTheJournal) {
  const std::string saved = journaled_incident("2026-11-22T10:00:00Z");
  test::FakePorts after;
  after.answer = ports.answer;
  after.journal["I-1"] = saved;
  PipelineOptions o = options();
  o.incident_max_age_h = 12;
  o.wall_ms = [] { return kDispatchedMs + 12 * kHourMs + 1; };
  Pipeline restarted(o, after);
  restarted.restore(saved, 0);
  EXPECT_TRUE(after.of("show").empty());
  EXPECT_EQ(after.journal.count("I-1"), 0u);
  EXPECT_EQ(restarted.counters()["journal.expired"], 1u);
  EXPECT_EQ(restarted.counters()["incidents_restored"], 0u);
}

TEST_F(PatrolPipeline, JournaledCallJustUnderMaxAgeIsRestored) {
  const std::string saved = journaled_incident("2026-11-22T10:00:00Z");
  test::FakePorts after;
  after.answer = ports.answer;
  PipelineOptions o = options();
  o.incident_max_age_h = 12;
  o.wall_ms = [] { return kDispatchedMs + 12 * kHourMs; };
  Pipeline restarted(o, after);
  restarted.restore(saved, 0);
  EXPECT_NE(after.last("show", "premise:I-1"), nullptr);
  EXPECT_EQ(restarted.counters()["incidents_restored"], 1u);
}

TEST_F(PatrolPipeline, JournalRecordWithoutADispatchTimeIsNotRestored) {
  IncidentRecord old;  // written before records carried the dispatch time
  old.summary = {"I-1", "WELFARE CHECK", 2, "1208 N MAPLE ST APT 3B"};
  old.location.address = "1208 N MAPLE ST APT 3B";
  ports.journal["I-1"] = to_json(old);
  pipeline.restore(to_json(old), 0);
  EXPECT_TRUE(ports.of("show").empty());
  EXPECT_EQ(ports.journal.count("I-1"), 0u);
  EXPECT_EQ(pipeline.counters()["journal.expired"], 1u);
}

TEST_F(PatrolPipeline, RequestTellsTheClinicianWhenTheCallWasDispatched) {
  pipeline.on_message(dispatched_at(dispatch("I-1", "1208 N MAPLE ST APT 3B"), "2026-11-22T10:00:00Z"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find(R"("dispatched_at":"2026-11-22T10:00:00)"), std::string::npos) << sent->body;
}

TEST_F(PatrolPipeline, UnreadableJournalRecordIsCountedNotFatal) {
  pipeline.restore("{not json", 0);
  EXPECT_EQ(pipeline.counters()["journal.unreadable"], 1u);
  EXPECT_TRUE(ports.of("show").empty());
}

TEST_F(ClinicianPipeline, RestartWhileEnRouteBringsTheOfferBackWithItsActions) {
  pipeline.on_message(request(), 0);
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 1).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "en_route", 2).ok());
  ASSERT_EQ(ports.journal.count("offer:2A31-I-1-1"), 1u);
  const std::string saved = ports.journal.at("offer:2A31-I-1-1");
  EXPECT_EQ(saved.find("Dr. A"), std::string::npos) << "flag content must not be journaled";

  test::FakePorts after;
  after.answer = ports.answer;
  Pipeline restarted(options(), after);
  restarted.restore(saved, 100);
  const auto* shown = after.last("show", "offer:2A31-I-1-1");
  ASSERT_NE(shown, nullptr);
  EXPECT_NE(shown->body.find("En route"), std::string::npos) << shown->body;
  EXPECT_NE(shown->body.find("Shown again after an MDT restart - call dispatched 2026-11-22 10:00 UTC"),
            std::string::npos)
      << shown->body;
  EXPECT_NE(shown->body.find("\"id\":\"on_scene\""), std::string::npos);
  EXPECT_TRUE(after.of("notify").empty()) << "a restored offer is not a new request";
  EXPECT_EQ(restarted.counters()["offers_restored"], 1u);
  // The clinician can carry on to the outcome.
  ASSERT_TRUE(restarted.on_user_action("offer:2A31-I-1-1", "on_scene", 101).ok());
  ASSERT_TRUE(restarted.on_user_action("offer:2A31-I-1-1", "clear", 102).ok());
  ASSERT_TRUE(restarted.on_user_action("offer:2A31-I-1-1", "resolved_on_scene", 103).ok());
  EXPECT_EQ(after.journal.count("offer:2A31-I-1-1"), 0u) << "a filed offer leaves the journal";
}

TEST_F(ClinicianPipeline, FinishedOffersLeaveTheJournal) {
  pipeline.on_message(request(), 0);
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "decline", 1).ok());
  EXPECT_EQ(ports.journal.count("offer:2A31-I-1-1"), 0u);
  pipeline.on_message(wire("coresponder_request",
                           R"({"request_id":"2A31-I-2-2","incident_id":"I-2","from_unit":"2A31","address":"17 OAK AVE"})",
                           "unit.CR7"),
                      2);
  EXPECT_EQ(ports.journal.count("offer:2A31-I-2-2"), 1u);
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"2A31-I-2-2","state":"taken","by_unit":"CR9"})",
                           "unit.CR7"),
                      3);
  EXPECT_EQ(ports.journal.count("offer:2A31-I-2-2"), 0u);
}

TEST_F(PatrolPipeline, AnOfferRecordIsIgnoredByAPatrolUnit) {
  OfferRecord r;
  r.view.request_id = "X-1";
  r.view.incident_id = "I-9";
  pipeline.restore(to_json(r), 0);
  EXPECT_TRUE(ports.of("show").empty());
  EXPECT_EQ(pipeline.counters()["journal.unreadable"], 0u);
}

// --- Whose flags: below exact, a neighbour's care code never travels on its own.

class NeighbourPipeline : public ::testing::Test {
 protected:
  NeighbourPipeline() : pipeline(options(), ports) {}
  static PipelineOptions options() {
    PipelineOptions o;
    o.role = config::Role::patrol;
    o.unit_id = "2A31";
    o.fallback = "Mobile crisis line 555-0199";
    auto rules = config::parse_auto_request_rules("WELFARE CHECK + AUTISM");
    EXPECT_TRUE(rules.ok());
    if (rules.ok()) o.auto_request = *rules;
    return o;
  }
  std::string request_panel() const { return ports.panel("coresponder:I-1"); }
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(NeighbourPipeline, AnotherUnitsCareFlagNeverTriggersOrTravelsAutomatically) {
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(cache::MatchLevel::building); };
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 5C"), 0);
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr) << "AUTISM is Apt 3B's, not this call's";
  const std::string panel = request_panel();
  EXPECT_EQ(panel.find("\"Reasons\""), std::string::npos) << panel;
  EXPECT_NE(panel.find("Autism (Apt 3B, same building)"), std::string::npos) << panel;
  const auto notify = ports.of("notify");
  ASSERT_EQ(notify.size(), 1u);
  EXPECT_EQ(notify[0].body, "Caution: Weapons reported in this building.");
}

TEST_F(NeighbourPipeline, OfficerTappingRequestSendsNoNeighbourCode) {
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(cache::MatchLevel::nearby); };
  pipeline.on_message(dispatch("I-1", "1210 N MAPLE ST"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"reasons\":[]"), std::string::npos) << sent->body;
}

TEST_F(NeighbourPipeline, OfficerMayAddAnotherPremisesReasonsByHand) {
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(cache::MatchLevel::building); };
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 5C"), 0);
  ASSERT_NE(request_panel().find("add_other_reasons"), std::string::npos);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "add_other_reasons", 1).ok());
  EXPECT_EQ(request_panel().find("add_other_reasons"), std::string::npos) << "added once";
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 2).ok());
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"reasons\":[\"AUTISM\"]"), std::string::npos) << sent->body;
  EXPECT_EQ(sent->body.find("\"automatic\""), std::string::npos);
}

TEST_F(NeighbourPipeline, ExactMatchStillRequestsAutomatically) {
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"reasons\":[\"AUTISM\"]"), std::string::npos) << sent->body;
  EXPECT_EQ(request_panel().find("add_other_reasons"), std::string::npos);
}

// The same through a real cache file: the registry, the matcher and the
// pipeline together, as a car runs them.
class NeighbourPipelineOnACache : public NeighbourPipeline {
 protected:
  NeighbourPipelineOnACache() {
    auto opened = cache::Cache::open({dir.file("flags.db"), {}, true, 24, 365});
    EXPECT_TRUE(opened.ok());
    if (!opened.ok()) return;
    db.emplace(std::move(*opened));
    auto file = cache::complete_registry_file(
        R"({"type":"header","mode":"snapshot","version":1,"created":"2026-11-22T10:00:00Z"}
{"type":"premise","id":"P-3B","address":"1208 N Maple St Apt 3B, Springfield IL","lat":39.8012,"lon":-89.6437}
{"type":"premise","id":"P-1A","address":"1208 N Maple St Apt 1A, Springfield IL","lat":39.8012,"lon":-89.6437}
{"type":"flag","id":"F-W","premise":"P-3B","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"flag","id":"F-A","premise":"P-1A","kind":"care","code":"AUTISM","audience":"all"}
)");
    EXPECT_TRUE(file.ok()) << (file.ok() ? "" : file.error().message);
    if (!file.ok()) return;
    auto imported = db->import_text(*file, "registry.jsonl");
    EXPECT_TRUE(imported.ok()) << (imported.ok() ? "" : imported.error().message);
    ports.answer = [this](const cache::AddressQuery& q) { return db->match(q); };
  }
  test::TempDir dir;
  std::optional<cache::Cache> db;
};

TEST_F(NeighbourPipelineOnACache, BuildingLevelDispatchNeverSendsTheNeighboursCareCode) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 5C, SPRINGFIELD IL"), 0);
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr);
  const auto* premise = ports.last("show", "premise:I-1");
  ASSERT_NE(premise, nullptr);
  EXPECT_NE(premise->body.find("Apt 1A, same building"), std::string::npos) << premise->body;
  EXPECT_NE(premise->body.find("other unit in this building"), std::string::npos);
  ASSERT_EQ(ports.of("notify").size(), 1u);
  EXPECT_EQ(ports.of("notify")[0].body, "Caution: Weapons reported in this building.");
}

// No panel must mean no flags: an address that cannot be read (and has no
// coordinates to look near) was not checked, and the officer is told so.
TEST_F(NeighbourPipelineOnACache, UnreadableAddressPopsANotCheckedPanel) {
  bridge::Incident inc;
  inc.id = "I-9";
  inc.call_type = "WELFARE CHECK";
  inc.units = {"2A31"};
  inc.location.address = "LOWER LEVEL 1208 N MAPLE";
  pipeline.on_message(test::dispatch_message(inc, "unit.2A31"), 0);
  const auto* premise = ports.last("show", "premise:I-9");
  ASSERT_NE(premise, nullptr);
  EXPECT_NE(premise->body.find("ADDRESS NOT UNDERSTOOD - FLAGS NOT CHECKED"), std::string::npos) << premise->body;
  EXPECT_EQ(premise->body.find("No flagged premise"), std::string::npos) << premise->body;
}

TEST_F(NeighbourPipelineOnACache, NearbyDispatchNeverSendsTheNeighboursCareCode) {
  pipeline.on_message(dispatch("I-1", "1210 N MAPLE ST, SPRINGFIELD IL"), 0);
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr);
  ASSERT_EQ(ports.of("notify").size(), 1u);
  EXPECT_EQ(ports.of("notify")[0].body, "Caution: Weapons reported nearby.");
}

TEST_F(NeighbourPipelineOnACache, ExactDispatchSendsItsOwnCareCode) {
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 1A, SPRINGFIELD IL"), 0);
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find("\"reasons\":[\"AUTISM\"]"), std::string::npos) << sent->body;
  EXPECT_TRUE(ports.of("notify").empty()) << "Apt 3B's weapons are not spoken for Apt 1A";
}

// ---- Live availability and what the officer does when nobody can come ----

constexpr int64_t kWall0 = 1'795'330'800'000;  // 2026-11-22T07:00:00Z, wall clock of these scenarios

bridge::Message unit_state(const std::string& unit, const std::string& state, const std::string& extra = {}) {
  return test::from_wire("coresponder_state", R"({"unit":")" + unit + R"(","state":")" + state + "\"" + extra + "}",
                         "all");
}

bridge::Message position_of(const std::string& unit, double lat, double lon) {
  return test::from_wire("unit_location",
                         R"({"unit":")" + unit + R"(","lat":)" + std::to_string(lat) + R"(,"lon":)" +
                             std::to_string(lon) + "}",
                         "all");
}

// The request panel's sections, by id, in order.
std::vector<std::string> section_ids(const std::string& panel_json) {
  std::vector<std::string> out;
  for (std::size_t at = panel_json.find(R"({"id":")"); at != std::string::npos;
       at = panel_json.find(R"({"id":")", at + 1)) {
    const auto start = at + 7, end = panel_json.find('"', start);
    const std::string id = panel_json.substr(start, end - start);
    if (id == "incident" || id == "request" || id == "on_duty" || id == "next_step") out.push_back(id);
  }
  return out;
}

class LivePatrol : public ::testing::Test {
 protected:
  LivePatrol() : pipeline(options(), ports) { ports.answer = answer; }
  static cache::MatchResult answer(const cache::AddressQuery& q) {
    if (q.address.find("MAPLE") != std::string::npos) return test::flagged_premise();
    cache::MatchResult none;
    none.freshness = cache::Freshness::fresh;
    return none;
  }
  PipelineOptions options() {
    PipelineOptions o;
    o.role = config::Role::patrol;
    o.unit_id = "2A31";
    o.accept_timeout_s = 120;
    o.fallback = "Mobile crisis line 555-0199";
    o.telehealth_uri = "https://telehealth.example.org/crisis";
    o.crisis_line_uri = "tel:988";
    o.state_stale_s = 600;
    o.schedule_configured = true;
    // CR5 is on the schedule all week; it never says a word live.
    o.schedule = {{"CR5", "CR-5 Day clinician", 0x7f, 0, 1440, 1}};
    o.local_time = [](int64_t) { return LocalTime{0, 12 * 60}; };
    o.wall_ms = [this] { return wall; };
    return o;
  }
  std::string panel() const { return ports.panel("coresponder:I-1"); }
  int64_t wall = kWall0;
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(LivePatrol, LiveStatesComeFirstAvailableNearestThenBusyThenTelehealthThenTheSchedule) {
  pipeline.on_message(unit_state("CR9", "busy", R"(,"name":"CR-9","free_at":"2026-11-22T07:10:00Z")"), 0);
  pipeline.on_message(unit_state("CR3", "telehealth", R"(,"name":"CR-3")"), 0);
  pipeline.on_message(unit_state("CR7", "available", R"(,"name":"CR-7")"), 0);
  pipeline.on_message(unit_state("CR8", "available", R"(,"name":"CR-8")"), 0);
  pipeline.on_message(unit_state("CR4", "off_duty", R"(,"name":"CR-4")"), 0);
  pipeline.on_message(position_of("CR7", 39.8212, -89.6437), 0);  // 2.2 km
  pipeline.on_message(position_of("CR8", 39.8022, -89.6437), 0);  // 110 m
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  const std::string p = panel();
  const auto cr8 = p.find("CR-8"), cr7 = p.find("CR-7"), cr9 = p.find("CR-9"), cr3 = p.find("CR-3"),
             cr5 = p.find("CR-5 Day clinician");
  ASSERT_TRUE(cr8 != std::string::npos && cr7 != std::string::npos && cr9 != std::string::npos &&
              cr3 != std::string::npos && cr5 != std::string::npos) << p;
  EXPECT_LT(cr8, cr7);
  EXPECT_LT(cr7, cr9);
  EXPECT_LT(cr9, cr3);
  EXPECT_LT(cr3, cr5);
  EXPECT_NE(p.find("Available - 111 m, about 1 min"), std::string::npos) << p;
  EXPECT_NE(p.find("Busy - free in about 10 min"), std::string::npos) << p;
  EXPECT_NE(p.find("Telehealth only"), std::string::npos);
  EXPECT_NE(p.find("Scheduled - position unknown"), std::string::npos) << "the schedule only for silent units";
  EXPECT_EQ(p.find("CR-4"), std::string::npos) << "off duty is not listed";
  // Someone can come: the request leads, the next steps wait below the list.
  EXPECT_EQ(section_ids(p), (std::vector<std::string>{"incident", "request", "on_duty", "next_step"}));
  EXPECT_NE(p.find("https://telehealth.example.org/crisis"), std::string::npos);
  EXPECT_NE(p.find(R"("link":"tel:988")"), std::string::npos) << p;
}

TEST_F(LivePatrol, AUnitThatSaysOffDutyLeavesTheListEvenWhenTheScheduleHasIt) {
  pipeline.on_message(unit_state("CR5", "off_duty"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  EXPECT_EQ(panel().find("CR-5"), std::string::npos) << panel();
  EXPECT_NE(panel().find("No co-responder on duty now"), std::string::npos);
}

TEST_F(LivePatrol, NobodyAvailableLeadsWithTheNextStepsBeforeTheOfficerAsks) {
  pipeline.on_message(unit_state("CR5", "busy"), 0);
  pipeline.on_message(unit_state("CR3", "telehealth"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  const std::string p = panel();
  EXPECT_EQ(section_ids(p), (std::vector<std::string>{"incident", "next_step", "request", "on_duty"})) << p;
  EXPECT_NE(p.find("No co-responder available now"), std::string::npos);
  EXPECT_NE(p.find("Busy - free time not given"), std::string::npos);
  // The first action is the telehealth link; asking anyway is still one tap.
  EXPECT_LT(p.find(R"("id":"handoff_telehealth")"), p.find(R"("id":"request_coresponder")"));
  EXPECT_NE(p.find(R"("id":"handoff_telehealth","label":"Open telehealth","style":"primary")"), std::string::npos) << p;
  EXPECT_NE(p.find("Request co-responder anyway"), std::string::npos);
}

TEST_F(LivePatrol, AClinicianGoingBusyWhileTheRequestIsOpenTurnsThePanelToTheNextSteps) {
  pipeline.on_message(unit_state("CR5", "busy"), 0);
  pipeline.on_message(unit_state("CR7", "available", R"(,"name":"CR-7")"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1000).ok());
  EXPECT_EQ(section_ids(panel()).at(1), "request");
  wall += 60'000;
  pipeline.on_message(unit_state("CR7", "busy", R"(,"name":"CR-7","free_at":"2026-11-22T07:46:00Z")"), 60'000);
  const std::string p = panel();
  EXPECT_NE(p.find("Requested - waiting for a clinician unit"), std::string::npos) << "still waiting: " << p;
  EXPECT_NE(p.find("CR-7\",\"value\":\"Busy - free in about 45 min"), std::string::npos) << p;
  EXPECT_EQ(section_ids(p).at(1), "next_step") << p;
  // Cancel never lands where Request was; the first place now hides the panel.
  EXPECT_NE(p.find(R"("actions":[{"id":"dismiss","label":"Hide")"), std::string::npos) << p;
  // An accept still wins: the clinician may come after all.
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"2A31-I-1-1","incident_id":"I-1","state":"accepted","by_unit":"CR7","by_name":"CR-7"})"), 70'000);
  EXPECT_NE(panel().find("Accepted by CR-7 (CR7)"), std::string::npos);
  EXPECT_EQ(section_ids(panel()), (std::vector<std::string>{"incident", "request"}));
}

TEST_F(LivePatrol, AStateWithNoWordForTheStaleLimitIsShownAsStaleNotAvailable) {
  pipeline.on_message(unit_state("CR7", "available", R"(,"name":"CR-7")"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 1000);
  EXPECT_NE(panel().find("Available - position unknown"), std::string::npos);
  pipeline.on_tick(600'000);  // exactly the limit: still current
  EXPECT_EQ(panel().find("No word for"), std::string::npos);
  pipeline.on_tick(660'000);
  const std::string p = panel();
  EXPECT_NE(p.find(R"x("label":"CR-7","value":"No word for 11 min (last said available)","severity":"caution")x"),
            std::string::npos)
      << p;
  // Stale is listed after the schedule's silent units, and counts as nobody.
  EXPECT_LT(p.find("CR-5 Day clinician"), p.find("CR-7"));
  // A word again makes it current.
  pipeline.on_message(unit_state("CR7", "available", R"(,"name":"CR-7")"), 700'000);
  EXPECT_EQ(panel().find("No word for"), std::string::npos);
}

TEST_F(LivePatrol, NobodyAcceptingInTimeSaysSoAndOffersTheNextStepsAgain) {
  pipeline.on_message(unit_state("CR7", "available"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1000).ok());
  pipeline.on_tick(120'999);
  EXPECT_EQ(panel().find("Nobody accepted in time"), std::string::npos);
  pipeline.on_tick(121'000);
  const std::string p = panel();
  EXPECT_NE(p.find("Nobody accepted in time"), std::string::npos);
  EXPECT_EQ(section_ids(p).at(1), "next_step") << p;
  EXPECT_NE(p.find("No co-responder is coming - use one of these"), std::string::npos);
  EXPECT_NE(p.find(R"("actions":[{"id":"handoff_telehealth")"), std::string::npos) << p;
  ASSERT_NE(ports.last("notify"), nullptr);
  EXPECT_EQ(ports.last("notify")->body, "No co-responder accepted - next steps on screen");

  // The officer takes the crisis line: the hand-off is recorded, which and when.
  wall = kWall0 + 125'000;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "handoff_crisis_line", 125'000).ok());
  ASSERT_FALSE(ports.stamps.empty());
  const OutcomeStamp& s = ports.stamps.back();
  EXPECT_EQ(s.step, OutcomeStep::handed_off);
  EXPECT_EQ(s.handoff, "crisis_line");
  EXPECT_EQ(s.request_id, "2A31-I-1-1");
  EXPECT_EQ(s.at_ms, kWall0 + 125'000);
  EXPECT_NE(panel().find(R"("label":"Handed off","value":"Crisis line")"), std::string::npos) << panel();
  EXPECT_NE(ports.journal["I-1"].find(R"("handoff":"crisis_line")"), std::string::npos);
}

TEST_F(LivePatrol, AHandOffWithoutARequestStillGetsARecord) {
  pipeline.on_message(unit_state("CR5", "busy"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "handoff_telehealth", 10).ok());
  ASSERT_EQ(ports.stamps.size(), 1u);
  EXPECT_EQ(ports.stamps[0].request_id, "2A31-I-1-1");
  EXPECT_EQ(ports.stamps[0].handoff, "telehealth");
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr) << "a hand-off is not a request";
  EXPECT_FALSE(pipeline.on_user_action("coresponder:I-1", "handoff_pigeon", 11).ok());
}

TEST_F(LivePatrol, ADispatchRequestIsFollowedOnThePanelAndSaysDispatchAsked) {
  pipeline.on_message(unit_state("CR7", "available"), 0);
  pipeline.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 0);
  pipeline.on_message(
      wire("coresponder_request",
           R"({"request_id":"D-77","incident_id":"I-1","address":"1208 N MAPLE ST APT 3B","requested_by":"dispatch","requested_at":"2026-11-22T06:57:00Z"})"),
      5000);
  const std::string p = panel();
  EXPECT_NE(p.find(R"("label":"Asked by","value":"Dispatch")"), std::string::npos) << p;
  EXPECT_NE(p.find("Requested by dispatch - waiting for a clinician unit"), std::string::npos) << p;
  EXPECT_EQ(ports.last("send", "coresponder_request"), nullptr) << "the car does not ask again";
  ASSERT_FALSE(ports.stamps.empty());
  EXPECT_EQ(ports.stamps.back().requested_by, "dispatch");
  EXPECT_EQ(ports.stamps.back().request_id, "D-77");
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"D-77","incident_id":"I-1","state":"accepted","by_unit":"CR7","by_name":"CR-7"})"), 6000);
  EXPECT_NE(panel().find("Accepted by CR-7 (CR7)"), std::string::npos);
  EXPECT_NE(ports.journal["I-1"].find(R"("dispatch_asked":true)"), std::string::npos);
}

TEST_F(LivePatrol, ADispatchRequestForACallWithoutAPanelOpensOne) {
  pipeline.on_message(
      wire("coresponder_request",
           R"({"request_id":"D-78","incident_id":"I-9","call_type":"WELFARE CHECK","address":"400 E ADAMS ST","lat":39.80,"lon":-89.64,"requested_by":"dispatch"})"),
      0);
  const std::string p = ports.panel("coresponder:I-9");
  EXPECT_NE(p.find("Requested by dispatch"), std::string::npos) << p;
  EXPECT_NE(p.find("400 E ADAMS ST"), std::string::npos);
  // A request on the shared topic is nobody's: not followed.
  pipeline.on_message(wire("coresponder_request", R"({"request_id":"D-79","incident_id":"I-8","requested_by":"dispatch"})", "all"), 1);
  EXPECT_TRUE(ports.panel("coresponder:I-8").empty());
}

TEST_F(LivePatrol, LiveStatesSurviveARestartWithTheirAge) {
  pipeline.on_message(unit_state("CR7", "available", R"(,"name":"CR-7")"), 0);
  ASSERT_EQ(ports.journal.count("unit_state:CR7"), 1u);
  const std::string record = ports.journal["unit_state:CR7"];
  // The MDT restarts 8 minutes later: the state is 8 minutes old, not new.
  test::FakePorts after;
  after.answer = answer;
  auto o = options();
  o.wall_ms = [] { return kWall0 + 8 * 60'000; };
  Pipeline restarted(o, after);
  restarted.restore(record, 50);
  restarted.on_message(dispatch("I-1", "1208 N MAPLE ST APT 3B"), 100);
  EXPECT_NE(after.panel("coresponder:I-1").find("CR-7\",\"value\":\"Available"), std::string::npos)
      << after.panel("coresponder:I-1");
  restarted.on_tick(50 + 2 * 60'000 + 1);  // 10 min and a bit since CR7 last spoke
  EXPECT_NE(after.panel("coresponder:I-1").find("No word for 10 min"), std::string::npos)
      << after.panel("coresponder:I-1");
}

class LiveClinician : public ::testing::Test {
 protected:
  LiveClinician() : pipeline(options(), ports) { ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); }; }
  PipelineOptions options() {
    PipelineOptions o;
    o.role = config::Role::coresponder;
    o.unit_id = "CR7";
    o.unit_name = "CR-7";
    o.state_stale_s = 300;
    o.wall_ms = [this] { return wall; };
    return o;
  }
  const test::FakePorts::Call* last_state() const { return ports.last("send", "coresponder_state"); }
  // Offer R-1 (call I-1) reaches this unit.
  void offer_r1() {
    pipeline.on_message(wire("coresponder_request",
                             R"({"request_id":"R-1","incident_id":"I-1","from_unit":"2A31","address":"1208 N MAPLE ST"})",
                             "unit.CR7"),
                        1);
  }
  int64_t wall = kWall0;
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(LiveClinician, OneTapSetsTheStateAndItTravelsAsCoresponderState) {
  pipeline.on_tick(0);
  const std::string shown = ports.panel("availability");
  ASSERT_FALSE(shown.empty());
  EXPECT_NE(shown.find("Not set - officers see the schedule"), std::string::npos);
  EXPECT_EQ(last_state(), nullptr) << "nothing is said before the clinician says it";
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_available", 10).ok());
  ASSERT_NE(last_state(), nullptr);
  EXPECT_NE(last_state()->body.find(R"("state":"available")"), std::string::npos) << last_state()->body;
  EXPECT_NE(last_state()->body.find(R"("name":"CR-7")"), std::string::npos);
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_busy", 20, R"({"free_in_min":"30"})").ok());
  EXPECT_NE(last_state()->body.find(R"("state":"busy","free_at":"2026-11-22T07:30:00Z")"), std::string::npos)
      << last_state()->body;
  // The four states keep their places: a second tap lands on the same state.
  const std::string p = ports.panel("availability");
  EXPECT_LT(p.find("state_available"), p.find("state_busy"));
  EXPECT_LT(p.find("state_busy"), p.find("state_telehealth"));
  EXPECT_LT(p.find("state_telehealth"), p.find("state_off_duty"));
  EXPECT_FALSE(pipeline.on_user_action("availability", "state_napping", 30).ok());
}

TEST_F(LiveClinician, TheStateIsSaidAgainWellWithinTheStaleLimit) {
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_telehealth", 0).ok());
  const auto said = [&] { return ports.of("send").size(); };
  const auto before = said();
  pipeline.on_tick(99'999);
  EXPECT_EQ(said(), before);
  pipeline.on_tick(100'000);  // a third of 300 s
  EXPECT_EQ(said(), before + 1);
  EXPECT_NE(last_state()->body.find(R"("state":"telehealth")"), std::string::npos);
}

TEST_F(LiveClinician, GoingBusyWhileAnOfferIsOpenKeepsTheOfferAndAcceptingSetsBusyClearingFreesIt) {
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_available", 0).ok());
  pipeline.on_message(wire("coresponder_request",
                           R"({"request_id":"2A31-I-1-1","incident_id":"I-1","from_unit":"2A31","address":"1208 N MAPLE ST"})",
                           "unit.CR7"),
                      1);
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_busy", 2).ok());
  EXPECT_NE(last_state()->body.find(R"("state":"busy")"), std::string::npos);
  EXPECT_NE(ports.panel("offer:2A31-I-1-1").find("Waiting for your answer"), std::string::npos)
      << "the offer stays open: the clinician may still take it";
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 3).ok());
  EXPECT_NE(last_state()->body.find(R"("state":"busy")"), std::string::npos);
  EXPECT_NE(ports.panel("availability").find("Busy (set when you accepted)"), std::string::npos)
      << ports.panel("availability");
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "en_route", 4).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "on_scene", 5).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "clear", 6).ok());
  EXPECT_NE(last_state()->body.find(R"("state":"available")"), std::string::npos) << last_state()->body;
}

TEST_F(LiveClinician, AStateSetByHandIsNotUndoneByClearing) {
  offer_r1();
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "accept", 2).ok());
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_off_duty", 3).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "en_route", 4).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "on_scene", 5).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "clear", 6).ok());
  EXPECT_NE(last_state()->body.find(R"("state":"off_duty")"), std::string::npos) << last_state()->body;
}

// Two clinicians accept; CAD gives the call to the first and tells the
// other "taken". Found from outside: the other stayed "Busy (set when you
// accepted)", so officers were told nobody could come, and its outcome file
// counted the call as answered.
TEST_F(LiveClinician, AnAcceptThatLostTheRaceFreesTheUnitAndIsNotCountedAsAnswered) {
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_available", 0).ok());
  offer_r1();
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "accept", 2).ok());
  EXPECT_NE(last_state()->body.find(R"("state":"busy")"), std::string::npos);
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "en_route", 3).ok());
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"R-1","state":"taken","by_unit":"CR9"})", "unit.CR7"),
                      4);
  EXPECT_NE(last_state()->body.find(R"("state":"available")"), std::string::npos) << last_state()->body;
  EXPECT_NE(ports.panel("availability").find("Available (set when your call ended)"), std::string::npos)
      << ports.panel("availability");
  ASSERT_FALSE(ports.stamps.empty());
  EXPECT_EQ(ports.stamps.back().step, OutcomeStep::accepted);
  EXPECT_TRUE(ports.stamps.back().accept_withdrawn);
  EXPECT_EQ(ports.stamps.back().request_id, "R-1");
}

TEST_F(LiveClinician, ARequestCancelledAfterTheAcceptFreesTheUnitButKeepsTheAnswer) {
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_available", 0).ok());
  offer_r1();
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "accept", 2).ok());
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"R-1","state":"cancelled"})", "unit.CR7"), 3);
  EXPECT_NE(last_state()->body.find(R"("state":"available")"), std::string::npos) << last_state()->body;
  for (const auto& s : ports.stamps) EXPECT_FALSE(s.accept_withdrawn) << "the unit did answer";
  EXPECT_FALSE(pipeline.on_user_action("offer:R-1", "en_route", 4).ok());
}

TEST_F(LiveClinician, TakenBeforeAnyAcceptLeavesTheStateAndTheFileAlone) {
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_telehealth", 0).ok());
  offer_r1();
  const auto stamps = ports.stamps.size();
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"R-1","state":"taken"})", "unit.CR7"), 2);
  EXPECT_NE(last_state()->body.find(R"("state":"telehealth")"), std::string::npos) << last_state()->body;
  EXPECT_EQ(ports.stamps.size(), stamps);
}

// A tap already on its way when the offer was taken (the host showed "En
// route" a moment before): applied, it put the clinician en route, on scene
// and cleared on a call another unit had, and filed an outcome for it.
TEST_F(LiveClinician, AProgressTapAfterTheOfferWasTakenIsRefusedAndNothingIsSent) {
  offer_r1();
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "accept", 2).ok());
  pipeline.on_message(wire("coresponder_status", R"({"request_id":"R-1","state":"taken"})", "unit.CR7"), 3);
  const auto sent = ports.of("send").size();
  for (const char* tap : {"en_route", "on_scene", "clear"}) {
    const Status st = pipeline.on_user_action("offer:R-1", tap, 4);
    ASSERT_FALSE(st.ok()) << tap;
    EXPECT_EQ(st.error().code, "plugin.bad_action");
  }
  EXPECT_EQ(ports.of("send").size(), sent);
  EXPECT_NE(ports.panel("offer:R-1").find("Taken by another unit"), std::string::npos);
  EXPECT_FALSE(pipeline.on_user_action("offer:R-1", "resolved_on_scene", 5).ok());
}

TEST_F(LiveClinician, ProgressGoesOnlyForwardAndOnlyOnAnAcceptedCall) {
  offer_r1();
  EXPECT_FALSE(pipeline.on_user_action("offer:R-1", "en_route", 2).ok()) << "not accepted yet";
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "accept", 3).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "on_scene", 4).ok()) << "arriving without saying en route";
  EXPECT_FALSE(pipeline.on_user_action("offer:R-1", "en_route", 5).ok());
  EXPECT_FALSE(pipeline.on_user_action("offer:R-1", "on_scene", 6).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:R-1", "clear", 7).ok());
  EXPECT_FALSE(pipeline.on_user_action("offer:R-1", "clear", 8).ok());
}

TEST_F(LiveClinician, TheOwnStateSurvivesARestartAndIsSaidAgainAtOnce) {
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_busy", 0, R"({"free_in_min":"45"})").ok());
  ASSERT_EQ(ports.journal.count("availability"), 1u);
  const std::string record = ports.journal["availability"];
  test::FakePorts after;
  Pipeline restarted(options(), after);
  restarted.restore(record, 0);
  restarted.on_tick(1);
  const auto* sent = after.last("send", "coresponder_state");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find(R"("state":"busy","free_at":"2026-11-22T07:45:00Z")"), std::string::npos) << sent->body;
  EXPECT_NE(after.panel("availability").find("Busy - free about"), std::string::npos);
}

TEST_F(LiveClinician, ATelehealthOfferAndADispatchRequestSaySo) {
  pipeline.on_message(wire("coresponder_request",
                           R"({"request_id":"D-1","incident_id":"I-1","from_unit":"2A31","address":"1208 N MAPLE ST","mode":"telehealth","requested_by":"dispatch"})",
                           "unit.CR7"),
                      1);
  const std::string p = ports.panel("offer:D-1");
  EXPECT_NE(p.find("Telehealth - you said telehealth only"), std::string::npos) << p;
  EXPECT_NE(p.find(R"("label":"Asked by","value":"Dispatch")"), std::string::npos);
  ASSERT_FALSE(ports.stamps.empty());
  EXPECT_EQ(ports.stamps.back().requested_by, "dispatch");
  // Journaled with both, so a restart keeps them.
  EXPECT_NE(ports.journal["offer:D-1"].find(R"("mode":"telehealth")"), std::string::npos);
}

}  // namespace
}  // namespace mdtc::plugin
