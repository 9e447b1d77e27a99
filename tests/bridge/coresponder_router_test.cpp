#include "coresponder_router.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

using Poco::JSON::Object;
using stub_cad::CoresponderRouter;
using stub_cad::Outgoing;

namespace {

Object::Ptr json(const std::string& text) {
  Poco::JSON::Parser p;
  return p.parse(text).extract<Object::Ptr>();
}

const char* kRequest =
    R"({"v":1,"type":"coresponder_request","seq":3,"key":"k1","request_id":"R-1","incident_id":"I-1","address":"1208 N MAPLE ST","reasons":["AUTISM"]})";

std::string state(const Outgoing& o) { return o.body->getValue<std::string>("state"); }

}  // namespace

TEST(CoresponderRouter, NobodyOnDutyAnswersNoCoresponderAtOnce) {
  CoresponderRouter r;
  auto out = r.on_request("2A31", *json(kRequest));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "unit.2A31");
  EXPECT_EQ(out[0].type, "coresponder_status");
  EXPECT_EQ(state(out[0]), "no_coresponder");
}

TEST(CoresponderRouter, RequestIsOfferedToEveryOnDutyUnitWithoutEnvelope) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  r.set_on_duty("CR8", true);
  auto out = r.on_request("2A31", *json(kRequest));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "unit.CR7");
  EXPECT_EQ(out[1].topic, "unit.CR8");
  EXPECT_EQ(out[0].type, "coresponder_request");
  EXPECT_EQ(out[0].body->getValue<std::string>("from_unit"), "2A31");
  EXPECT_EQ(out[0].body->getValue<std::string>("address"), "1208 N MAPLE ST");
  EXPECT_FALSE(out[0].body->has("key"));
  EXPECT_FALSE(out[0].body->has("seq"));
}

TEST(CoresponderRouter, FirstAcceptWinsAndTheOthersHearTaken) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  r.set_on_duty("CR8", true);
  (void)r.on_request("2A31", *json(kRequest));
  auto out = r.on_response("CR8", *json(R"({"request_id":"R-1","incident_id":"I-1","accepted":true,"eta_s":300,"name":"CR-8 Clinician"})"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "unit.2A31");
  EXPECT_EQ(state(out[0]), "accepted");
  EXPECT_EQ(out[0].body->getValue<std::string>("by_unit"), "CR8");
  EXPECT_EQ(out[0].body->getValue<std::string>("by_name"), "CR-8 Clinician");
  EXPECT_EQ(out[0].body->getValue<int>("eta_s"), 300);
  EXPECT_EQ(out[1].topic, "unit.CR7");
  EXPECT_EQ(state(out[1]), "taken");
  auto late = r.on_response("CR7", *json(R"({"request_id":"R-1","accepted":true})"));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].topic, "unit.CR7");
  EXPECT_EQ(state(late[0]), "taken");
}

TEST(CoresponderRouter, AllDecliningTellsTheRequesterDeclined) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  r.set_on_duty("CR8", true);
  (void)r.on_request("2A31", *json(kRequest));
  EXPECT_TRUE(r.on_response("CR7", *json(R"({"request_id":"R-1","accepted":false})")).empty());
  auto out = r.on_response("CR8", *json(R"({"request_id":"R-1","accepted":false})"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "unit.2A31");
  EXPECT_EQ(state(out[0]), "declined");
}

TEST(CoresponderRouter, ProgressIsForwardedOnlyFromTheUnitThatAccepted) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  r.set_on_duty("CR8", true);
  (void)r.on_request("2A31", *json(kRequest));
  (void)r.on_response("CR7", *json(R"({"request_id":"R-1","accepted":true})"));
  EXPECT_TRUE(r.on_status("CR8", *json(R"({"request_id":"R-1","state":"on_scene"})")).empty());
  auto out = r.on_status("CR7", *json(R"({"request_id":"R-1","state":"en_route","key":"x"})"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "unit.2A31");
  EXPECT_EQ(state(out[0]), "en_route");
  EXPECT_EQ(out[0].body->getValue<std::string>("by_unit"), "CR7");
  EXPECT_EQ(out[0].body->getValue<std::string>("incident_id"), "I-1");
  EXPECT_FALSE(out[0].body->has("key"));
}

TEST(CoresponderRouter, ResponseToUnknownRequestIsIgnored) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  EXPECT_TRUE(r.on_response("CR7", *json(R"({"request_id":"nope","accepted":true})")).empty());
}

TEST(CoresponderRouter, RequesterCancelTellsEveryOfferedUnitAndBlocksLateAccepts) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  r.set_on_duty("CR8", true);
  (void)r.on_request("2A31", *json(kRequest));
  auto out = r.on_status("2A31", *json(R"({"request_id":"R-1","state":"cancelled"})"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "unit.CR7");
  EXPECT_EQ(state(out[0]), "cancelled");
  EXPECT_EQ(out[1].topic, "unit.CR8");
  auto late = r.on_response("CR7", *json(R"({"request_id":"R-1","accepted":true})"));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].topic, "unit.CR7");
  EXPECT_NE(state(late[0]), "accepted");
}

TEST(CoresponderRouter, LiveStatesRouteAvailableNearestFirstThenUnknownThenTelehealth) {
  CoresponderRouter r;
  for (const char* cr : {"CR1", "CR2", "CR3", "CR4", "CR5", "CR6"}) r.set_on_duty(cr, true);
  r.on_state("CR1", *json(R"({"state":"available"})"));
  r.on_state("CR2", *json(R"({"state":"busy","free_at":"2026-11-22T10:30:00Z"})"));
  r.on_state("CR3", *json(R"({"state":"telehealth"})"));
  r.on_state("CR4", *json(R"({"state":"off_duty"})"));
  r.on_state("CR5", *json(R"({"state":"available"})"));
  // CR6 never sent a state: it is asked, after the units known to be free.
  r.set_position("CR1", 39.90, -89.64);  // about 11 km away
  r.set_position("CR5", 39.80, -89.64);  // next door
  auto request = json(kRequest);
  request->set("lat", 39.8012);
  request->set("lon", -89.6437);
  auto out = r.on_request("2A31", *request);
  std::vector<std::string> order;
  for (const auto& o : out) order.push_back(o.topic);
  EXPECT_EQ(order, (std::vector<std::string>{"unit.CR5", "unit.CR1", "unit.CR6", "unit.CR3"}));
  ASSERT_EQ(out.size(), 4u);
  EXPECT_FALSE(out[0].body->has("mode"));
  EXPECT_EQ(out[3].body->getValue<std::string>("mode"), "telehealth");
  EXPECT_FALSE(r.on_duty("CR4"));
}

TEST(CoresponderRouter, EveryUnitBusyIsNoCoresponderAtOnce) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  r.on_state("CR7", *json(R"({"state":"busy"})"));
  auto out = r.on_request("2A31", *json(kRequest));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(state(out[0]), "no_coresponder");
  // Free again: the next request is offered.
  r.on_state("CR7", *json(R"({"state":"available"})"));
  auto again = json(kRequest);
  again->set("request_id", std::string("R-2"));
  out = r.on_request("2A31", *again);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "unit.CR7");
}

TEST(CoresponderRouter, DispatchRequestTellsTheOfficerAndOffersToClinicians) {
  CoresponderRouter r;
  r.set_on_duty("CR7", true);
  auto out = r.on_dispatch_request("2A31", *json(R"({"request_id":"D-1","incident_id":"I-2","address":"1208 N MAPLE ST"})"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].topic, "unit.2A31");
  EXPECT_EQ(out[0].type, "coresponder_request");
  EXPECT_EQ(out[0].body->getValue<std::string>("requested_by"), "dispatch");
  EXPECT_EQ(out[1].topic, "unit.CR7");
  EXPECT_EQ(out[1].body->getValue<std::string>("requested_by"), "dispatch");
  EXPECT_EQ(out[1].body->getValue<std::string>("from_unit"), "2A31");
  // The accept goes to the officer's unit, as for its own request.
  auto won = r.on_response("CR7", *json(R"({"request_id":"D-1","incident_id":"I-2","accepted":true})"));
  ASSERT_FALSE(won.empty());
  EXPECT_EQ(won[0].topic, "unit.2A31");
  EXPECT_EQ(state(won[0]), "accepted");
}
