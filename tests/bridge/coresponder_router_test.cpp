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
