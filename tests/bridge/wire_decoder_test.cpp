#include <gtest/gtest.h>

#include "mdtc/bridge.h"

using mdtc::bridge::decode;

namespace {

constexpr const char* kDispatch = R"({"v":1,"type":"dispatch","seq":7,"epoch":"e1",
 "sent_at":"2026-11-22T10:00:00Z","extra":{"ignored":true},
 "incident":{"id":"I-1","call_type":"WELFARE CHECK","priority":2,"narrative":"Shouting",
 "units":["2A31","2A32"],
 "location":{"address":"1208 N MAPLE ST APT 3B, SPRINGFIELD IL",
  "civic":{"hno":"1208","prd":"N","rd":"MAPLE","sts":"ST","unit":"3B","a3":"SPRINGFIELD","a1":"IL"},
  "lat":39.8012,"lon":-89.6437}}})";

std::string code_of(std::string_view body) {
  auto r = decode("unit.2A31", body);
  return r ? std::string("ok") : r.error().code;
}

}  // namespace

TEST(WireDecoder, NativeDispatchFillsEveryField) {
  auto r = decode("unit.2A31", kDispatch);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->topic, "unit.2A31");
  EXPECT_EQ(r->type(), mdtc::bridge::MessageType::dispatch);
  EXPECT_EQ(r->seq, 7u);
  EXPECT_EQ(r->epoch, "e1");
  EXPECT_EQ(r->sent_at, "2026-11-22T10:00:00Z");
  EXPECT_EQ(r->incident_id(), "I-1");
  ASSERT_TRUE(r->incident());
  const auto& inc = *r->incident();
  EXPECT_EQ(inc.call_type, "WELFARE CHECK");
  EXPECT_EQ(inc.priority, 2);
  EXPECT_EQ(inc.narrative, "Shouting");
  EXPECT_EQ(inc.units, (std::vector<std::string>{"2A31", "2A32"}));
  EXPECT_EQ(inc.location.address, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(inc.location.civic.hno, "1208");
  EXPECT_EQ(inc.location.civic.prd, "N");
  EXPECT_EQ(inc.location.civic.rd, "MAPLE");
  EXPECT_EQ(inc.location.civic.sts, "ST");
  EXPECT_EQ(inc.location.civic.unit, "3B");
  EXPECT_EQ(inc.location.civic.a3, "SPRINGFIELD");
  EXPECT_EQ(inc.location.civic.a1, "IL");
  ASSERT_TRUE(inc.location.lat && inc.location.lon);
  EXPECT_DOUBLE_EQ(*inc.location.lat, 39.8012);
  EXPECT_DOUBLE_EQ(*inc.location.lon, -89.6437);
}

TEST(WireDecoder, DispatchWithOnlyCoordinatesIsAccepted) {
  auto r = decode("unit.2A31",
                  R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I-2","location":{"lat":1.5,"lon":2.5}}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->incident()->location.address.empty());
  EXPECT_TRUE(r->incident()->location.civic.empty());
}

TEST(WireDecoder, DispatchWithoutAnyLocationIsMissingField) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I-2","location":{}}})"),
            "wire.missing_field");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I-2"}})"),
            "wire.missing_field");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I-2","location":{"lat":1}}})"),
            "wire.missing_field");
}

TEST(WireDecoder, DispatchWithoutIncidentOrEidoIsMissingField) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1})"), "wire.missing_field");
}

TEST(WireDecoder, UnitLocationMustNameTheUnit) {
  auto r = decode("all", R"({"v":1,"type":"unit_location","seq":4,"unit":"CR7","lat":39.79,"lon":-89.65})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->type(), mdtc::bridge::MessageType::unit_location);
  EXPECT_EQ(code_of(R"({"v":1,"type":"unit_location","seq":4,"lat":39.79,"lon":-89.65})"), "wire.missing_field");
  EXPECT_EQ(code_of(R"({"v":1,"type":"unit_location","seq":4,"unit":7})"), "wire.bad_type");
}

TEST(WireDecoder, CoresponderStateNamesTheUnitAndOneOfFourStates) {
  for (const char* state : {"available", "busy", "telehealth", "off_duty"}) {
    auto r = decode("all", std::string(R"({"v":1,"type":"coresponder_state","seq":5,"unit":"CR7","state":")") +
                               state + R"(","free_at":"2026-11-22T10:30:00Z"})");
    ASSERT_TRUE(r.ok()) << state << ": " << r.error().message;
    ASSERT_NE(r->as<mdtc::bridge::CoresponderState>(), nullptr);
    EXPECT_EQ(r->as<mdtc::bridge::CoresponderState>()->unit, "CR7");
  }
  EXPECT_EQ(code_of(R"({"v":1,"type":"coresponder_state","seq":5,"state":"busy"})"), "wire.missing_field");
  EXPECT_EQ(code_of(R"({"v":1,"type":"coresponder_state","seq":5,"unit":"CR7"})"), "wire.missing_field");
  EXPECT_EQ(code_of(R"({"v":1,"type":"coresponder_state","seq":5,"unit":"CR7","state":"napping"})"),
            "wire.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"coresponder_state","seq":5,"unit":"CR7","state":"busy","free_at":30})"),
            "wire.bad_type");
}

TEST(WireDecoder, IncidentUpdateMayOmitLocation) {
  auto r = decode("unit.2A31", R"({"v":1,"type":"incident_update","seq":3,"incident":{"id":"I-1","priority":1}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->incident_id(), "I-1");
  EXPECT_EQ(r->incident()->priority, 1);
}

TEST(WireDecoder, CancelAndUnitClearedCarryIncidentId) {
  auto c = decode("unit.2A31", R"({"v":1,"type":"cancel","seq":4,"incident_id":"I-1"})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->incident_id(), "I-1");
  EXPECT_FALSE(c->incident());
  auto u = decode("unit.2A31", R"({"v":1,"type":"unit_cleared","seq":5,"incident":{"id":"I-9"}})");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->incident_id(), "I-9");
  EXPECT_EQ(code_of(R"({"v":1,"type":"cancel","seq":4})"), "wire.missing_field");
}

TEST(WireDecoder, CoresponderMessagesCarryIncidentIdAndTheirFields) {
  std::string body = R"({"v":1,"type":"coresponder_request","seq":2,"request_id":"R-1","incident_id":"I-1","reasons":["AUTISM"]})";
  auto r = decode("unit.CR7", body);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->incident_id(), "I-1");
  const auto* req = r->as<mdtc::bridge::CoresponderRequest>();
  ASSERT_NE(req, nullptr);
  EXPECT_EQ(req->request_id, "R-1");
  EXPECT_EQ(req->reasons, std::vector<std::string>{"AUTISM"});
}

TEST(WireDecoder, MalformedJsonIsBadJson) {
  EXPECT_EQ(code_of("not json {"), "wire.bad_json");
  EXPECT_EQ(code_of(""), "wire.bad_json");
  EXPECT_EQ(code_of("[1,2]"), "wire.bad_json");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch")"), "wire.bad_json");
  EXPECT_EQ(code_of(std::string("{\"v\":1,\0}", 9)), "wire.bad_json");
}

TEST(WireDecoder, DeepNestingIsRefusedNotRecursedInto) {
  std::string deep = R"({"v":1,"type":"avl","seq":1,"x":)" + std::string(100000, '[') +
                     std::string(100000, ']') + "}";
  EXPECT_EQ(mdtc::bridge::decode("all", deep, 1 << 20).error().code, "wire.bad_json");
}

TEST(WireDecoder, UnknownOrMissingVersionIsRefused) {
  EXPECT_EQ(code_of(R"({"v":2,"type":"cancel","seq":1,"incident_id":"I"})"), "wire.bad_version");
  EXPECT_EQ(code_of(R"({"v":"1","type":"cancel","seq":1,"incident_id":"I"})"), "wire.bad_version");
  EXPECT_EQ(code_of(R"({"type":"cancel","seq":1,"incident_id":"I"})"), "wire.missing_field");
}

TEST(WireDecoder, WrongTypesAreBadType) {
  EXPECT_EQ(code_of(R"({"v":1,"type":7,"seq":1})"), "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"cancel","seq":"1","incident_id":"I"})"), "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"cancel","seq":-1,"incident_id":"I"})"), "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"cancel","seq":1.5,"incident_id":"I"})"), "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"cancel","seq":1,"incident_id":5})"), "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I","priority":"high","location":{"address":"x"}}})"),
            "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I","units":[1],"location":{"address":"x"}}})"),
            "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I","location":{"lat":"1","lon":2}}})"),
            "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":"I-1"})"), "wire.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"epoch":3,"incident":{"id":"I","location":{"address":"x"}}})"),
            "wire.bad_type");
}

TEST(WireDecoder, OutOfRangeCoordinatesAreBadValue) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I","location":{"lat":91,"lon":2}}})"),
            "wire.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I","location":{"lat":1,"lon":-181}}})"),
            "wire.bad_value");
}

TEST(WireDecoder, MissingTypeOrSeqIsMissingField) {
  EXPECT_EQ(code_of(R"({"v":1,"seq":1})"), "wire.missing_field");
  EXPECT_EQ(code_of(R"({"v":1,"type":"cancel","incident_id":"I"})"), "wire.missing_field");
}

TEST(WireDecoder, UnknownTypeIsRefused) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"launch_missiles","seq":1})"), "wire.unknown_type");
}

TEST(WireDecoder, OversizeBodyIsTooLargeBeforeParsing) {
  std::string big = R"({"v":1,"type":"avl","seq":1,"pad":")" + std::string(2000, 'x') + "\"}";
  EXPECT_EQ(decode("all", big, 1000).error().code, "wire.too_large");
  EXPECT_TRUE(decode("all", big, 4000));
}

TEST(WireDecoder, ErrorMessagesNameTheField) {
  auto r = decode("unit.2A31", R"({"v":1,"type":"dispatch","seq":1,"incident":{"id":"I","priority":"high","location":{"address":"x"}}})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("incident.priority"), std::string::npos) << r.error().message;
}

TEST(WireDecoder, HeartbeatDecodesWithoutIncident) {
  auto r = decode("all", R"({"v":1,"type":"heartbeat","seq":0,"epoch":"e","topics":{"unit.2A31":7}})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->type(), mdtc::bridge::MessageType::heartbeat);
  EXPECT_FALSE(r->incident());
}

TEST(WireDecoder, SentAtReadsAsMillisecondsWithAnyOffsetAndFraction) {
  using mdtc::bridge::parse_sent_at_ms;
  const auto base = parse_sent_at_ms("2026-11-22T10:00:00Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(parse_sent_at_ms("2026-11-22T10:00:00.250Z"), *base + 250);
  EXPECT_EQ(parse_sent_at_ms("2026-11-22T11:00:00+01:00"), *base);
  EXPECT_EQ(parse_sent_at_ms("2026-11-22T09:30:00-00:30"), *base);
  EXPECT_FALSE(parse_sent_at_ms("2026-11-22T10:00:00"));  // no offset: ambiguous
  EXPECT_FALSE(parse_sent_at_ms("2026-11-22T10:00:00Zjunk"));
  EXPECT_FALSE(parse_sent_at_ms("t7"));
  EXPECT_FALSE(parse_sent_at_ms("2026-11-22T10:00:00.1234567890Z"));  // more than nanoseconds
  EXPECT_FALSE(parse_sent_at_ms("2026-11-22T10:00:00.Z"));
  EXPECT_FALSE(parse_sent_at_ms("2026-11-22T10:00:00+0100"));
  EXPECT_FALSE(parse_sent_at_ms("2026-11-22X10:00:00Z"));
  EXPECT_EQ(parse_sent_at_ms("2026-11-22 10:00:00z"), *base);
  EXPECT_FALSE(parse_sent_at_ms(""));
}

TEST(WireDecoder, UnitClearedKeepsTheUnitItNames) {
  auto m = mdtc::bridge::decode(
      "all", R"({"v":1,"type":"unit_cleared","seq":3,"incident_id":"I-1","unit":"2B99"})");
  ASSERT_TRUE(m);
  ASSERT_NE(m->as<mdtc::bridge::UnitCleared>(), nullptr);
  EXPECT_EQ(m->as<mdtc::bridge::UnitCleared>()->unit, "2B99");
}
