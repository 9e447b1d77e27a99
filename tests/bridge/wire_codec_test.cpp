// The typed wire protocol (mdtc/wire.h): every type decodes from the
// examples in docs/protocol.md, encodes to the bytes the plugin has always
// sent, and comes back equal through encode() and decode().
#include <gtest/gtest.h>

#include <set>

#include "mdtc/wire.h"

namespace mdtc::bridge {
namespace {

Message decoded(const std::string& topic, const std::string& body) {
  auto m = decode(topic, body);
  EXPECT_TRUE(m) << (m ? "" : m.error().message) << " in " << body;
  return m ? std::move(m.value()) : Message{};
}

// Encodes `m`, decodes it again and compares field by field through a
// second encoding (the structs hold no floating-point arithmetic, so equal
// bytes mean equal values).
void round_trip(const Message& m) {
  const std::string bytes = encode(m);
  auto back = decode(m.topic, bytes);
  ASSERT_TRUE(back) << back.error().message << " in " << bytes;
  EXPECT_EQ(back->type(), m.type()) << bytes;
  EXPECT_EQ(back->seq, m.seq);
  EXPECT_EQ(back->epoch, m.epoch);
  EXPECT_EQ(back->sent_at, m.sent_at);
  EXPECT_EQ(encode(back.value()), bytes);
}

Message with(Payload p, const std::string& topic = "unit.2A31") {
  Message m;
  m.topic = topic;
  m.seq = 7;
  m.epoch = "3f2a9c";
  m.sent_at = "2026-11-22T10:00:00Z";
  m.payload = std::move(p);
  return m;
}

TEST(WireTypes, NamesAndTypesAreOneTable) {
  for (int i = 1; i < static_cast<int>(std::variant_size_v<Payload>); ++i) {
    const auto t = static_cast<MessageType>(i);
    ASSERT_FALSE(to_string(t).empty());
    EXPECT_EQ(message_type_named(to_string(t)), t);
  }
  EXPECT_FALSE(message_type_named(""));
  EXPECT_FALSE(message_type_named("dispatched"));
  EXPECT_EQ(type_of(Outbound{Avl{}}), MessageType::avl);
  EXPECT_EQ(type_of(Outbound{CoresponderState{}}), MessageType::coresponder_state);
}

TEST(WireCodec, ProtocolDispatchExampleDecodesToItsStruct) {
  const auto m = decoded("unit.2A31", R"({"v":1,"type":"dispatch","seq":7,"epoch":"3f2a9c","sent_at":"2026-11-22T10:00:00Z",
 "incident":{"id":"I-1","call_type":"WELFARE CHECK","priority":2,
   "narrative":"Neighbour reports shouting","units":["2A31"],
   "location":{"address":"1208 N MAPLE ST APT 3B, SPRINGFIELD IL",
     "civic":{"hno":"1208","prd":"N","rd":"MAPLE","sts":"ST","unit":"3B","a3":"SPRINGFIELD","a1":"IL"},
     "lat":39.8012,"lon":-89.6437}}})");
  const auto* d = m.as<Dispatch>();
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->incident.narrative, "Neighbour reports shouting");
  EXPECT_EQ(d->incident.location.civic.unit, "3B");
  EXPECT_EQ(m.incident_id(), "I-1");
  round_trip(m);
}

TEST(WireCodec, EveryGatewayMessageOfTheProtocolPageRoundTrips) {
  const char* examples[] = {
      R"({"v":1,"type":"incident_update","seq":8,"incident":{"id":"I-1","priority":1}})",
      R"({"v":1,"type":"cancel","seq":8,"epoch":"3f2a9c","sent_at":"2026-11-22T10:00:00Z","incident_id":"I-1"})",
      R"({"v":1,"type":"unit_cleared","seq":9,"incident_id":"I-1","unit":"2B99"})",
      R"({"v":1,"type":"heartbeat","seq":0,"epoch":"3f2a9c","topics":{"unit.2A31":7,"all":3}})",
      R"({"v":1,"type":"wipe","seq":9,"epoch":"e","sent_at":"2026-11-22T10:00:00Z","reason":"stolen"})",
      R"({"v":1,"type":"unit_location","seq":12,"unit":"CR7","lat":39.79,"lon":-89.65})",
      R"({"v":1,"type":"hello","seq":0,"unit":"CR7","role":"coresponder","name":"CR-7 Clinician"})",
      R"({"v":1,"type":"hello","seq":0,"unit":"2A31","role":"patrol","name":"2A31","diagnostic":true})",
      R"({"v":1,"type":"hello_ack","seq":0,"epoch":"3f2a9c","topics":{"unit.CR7":4,"all":3}})",
      R"({"v":1,"type":"catchup","seq":0,"unit":"2A31","topic":"unit.2A31","epoch":"3f2a9c","from_seq":6,"to_seq":7})",
      R"({"v":1,"type":"catchup_done","seq":0,"epoch":"3f2a9c","topic":"unit.2A31","from_seq":6,"to_seq":7})",
      R"({"v":1,"type":"ack","seq":0,"epoch":"e","key":"2A31-r-3"})",
      R"({"v":1,"type":"avl","seq":4,"lat":39.8,"lon":-89.64,"speed_mps":12.5,"course_deg":270,"fix_at":"2026-11-22T10:00:00Z"})",
      R"({"v":1,"type":"coresponder_request","seq":3,"request_id":"R-1","incident_id":"I-1","call_type":"WELFARE CHECK","priority":2,"address":"1208 N MAPLE ST","lat":39.8012,"lon":-89.6437,"reasons":["AUTISM"],"from_unit":"2A31","mode":"telehealth","requested_by":"dispatch"})",
      R"({"v":1,"type":"coresponder_response","seq":5,"request_id":"R-1","incident_id":"I-1","accepted":true,"eta_s":300,"name":"CR-8"})",
      R"({"v":1,"type":"coresponder_status","seq":6,"request_id":"R-1","incident_id":"I-1","state":"accepted","by_unit":"CR8","by_name":"CR-8","eta_s":300})",
      R"({"v":1,"type":"coresponder_state","seq":7,"unit":"CR7","state":"busy","free_at":"2026-11-22T10:30:00Z","name":"CR-7","changed_at":"2026-11-22T10:00:00Z"})",
  };
  std::set<MessageType> seen;
  for (const char* body : examples) {
    const auto m = decoded("all", body);
    seen.insert(m.type());
    round_trip(m);
  }
  seen.insert(MessageType::dispatch);  // above
  EXPECT_EQ(seen.size(), std::variant_size_v<Payload> - 1) << "every v1 type has an example";
}

TEST(WireCodec, StructsBuiltInCodeRoundTrip) {
  Incident inc;
  inc.id = "I-7";
  inc.call_type = "WELFARE CHECK";
  inc.priority = 3;
  inc.units = {"2A31", "2B99"};
  inc.location.address = "12 ELM ST";
  inc.location.civic.hno = "12";
  inc.location.civic.rd = "ELM";
  inc.location.lat = 39.5;
  inc.location.lon = -89.25;
  round_trip(with(Dispatch{inc}));
  const auto back = decode("unit.2A31", encode(with(Dispatch{inc})));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->incident()->units, inc.units);
  EXPECT_EQ(back->incident()->location.civic.rd, "ELM");
  EXPECT_EQ(back->incident()->location.lon, -89.25);
  round_trip(with(IncidentUpdate{Incident{"I-7", {}, 0, {}, {}, {}}}));
  round_trip(with(UnitCleared{"I-7", {}}, "all"));
  round_trip(with(CoresponderState{"CR7", "telehealth", {}, {}, {}}, "all"));
  round_trip(with(Heartbeat{{{"all", 3}, {"unit.2A31", 9}}}, "all"));
  round_trip(with(CatchupDone{"unit.2A31", 6, 7}, ""));
}

TEST(WireCodec, DecodedFieldsAreTheOnesTheHandlersRead) {
  const auto req = decoded("unit.CR7",
                           R"({"v":1,"type":"coresponder_request","seq":3,"request_id":"R-1","incident_id":"I-1",)"
                           R"("reasons":["AUTISM","MENTAL_HEALTH"],"automatic":true,"requested_at":"2026-11-22T10:00:05Z"})");
  const auto* r = req.as<CoresponderRequest>();
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->reasons, (std::vector<std::string>{"AUTISM", "MENTAL_HEALTH"}));
  EXPECT_TRUE(r->automatic);
  EXPECT_EQ(r->requested_at, "2026-11-22T10:00:05Z");
  EXPECT_FALSE(r->lat);

  const auto st = decoded("unit.2A31", R"({"v":1,"type":"coresponder_status","seq":6,"request_id":"R-1","state":"accepted","eta_s":300})");
  ASSERT_NE(st.as<CoresponderStatus>(), nullptr);
  EXPECT_EQ(st.as<CoresponderStatus>()->eta_s, 300);
  EXPECT_TRUE(st.incident_id().empty()) << "a status may leave the incident out";

  const auto beat = decoded("all", R"({"v":1,"type":"heartbeat","seq":0,"topics":{"unit.2A31":7,"all":"x"}})");
  ASSERT_NE(beat.as<Heartbeat>(), nullptr);
  EXPECT_EQ(beat.as<Heartbeat>()->topics.at("unit.2A31"), 7u);
  EXPECT_FALSE(beat.as<Heartbeat>()->topics.at("all")) << "listed, but not a seq";
}

// A field a handler can do without reads as absent when it has the wrong
// kind; the plugin counts what it then cannot use (docs/protocol.md).
TEST(WireCodec, LooseFieldsOfTheWrongKindReadAsAbsent) {
  const auto loc = decoded("all", R"({"v":1,"type":"unit_location","seq":4,"unit":"CR7","lat":"north"})");
  ASSERT_NE(loc.as<UnitLocation>(), nullptr);
  EXPECT_FALSE(loc.as<UnitLocation>()->lat);
  const auto st = decoded("unit.2A31", R"({"v":1,"type":"coresponder_status","seq":6,"request_id":"R-1","state":"accepted","by_name":5})");
  EXPECT_TRUE(st.as<CoresponderStatus>()->by_name.empty());
}

TEST(WireCodec, MalformedMessagesKeepTheirOwnErrors) {
  auto code = [](const std::string& body) { return decode("unit.2A31", body).error().code; };
  EXPECT_EQ(code(R"({"v":1,"type":"coresponder_request","seq":3,"request_id":"R-1"})"), "wire.missing_field");
  EXPECT_EQ(code(R"({"v":1,"type":"coresponder_request","seq":3,"incident_id":"I-1","reasons":["A",7]})"),
            "wire.bad_type");
  EXPECT_EQ(code(R"({"v":1,"type":"coresponder_response","seq":3,"request_id":"R-1"})"), "wire.missing_field");
  EXPECT_EQ(code(R"({"v":1,"type":"coresponder_state","seq":3,"unit":"","state":"busy"})"), "wire.missing_field");
  EXPECT_EQ(code(R"({"v":1,"type":"unit_cleared","seq":3,"incident_id":"I-1","unit":4})"), "wire.bad_type");
  EXPECT_EQ(code(R"({"v":1,"type":"incident_update","seq":3,"incident":{"priority":1}})"), "wire.missing_field");
  EXPECT_EQ(code(R"({"v":1,"type":"pong","seq":3})"), "wire.unknown_type");
}

// The bodies the plugin sent before these types existed (the same bytes
// the pipeline's wire_bytes_test holds): the encoders write exactly them.
TEST(WireCodec, OutboundBodiesAreTheBytesThePluginHasAlwaysSent) {
  CoresponderRequest req;
  req.request_id = "2A31-I-1-1";
  req.incident_id = "I-1";
  req.call_type = "WELFARE CHECK";
  req.priority = 2;
  req.address = "1208 N MAPLE ST APT 3B";
  req.dispatched_at = "2026-11-22T09:58:00.000Z";
  req.lat = 39.8012;
  req.lon = -89.6437;
  req.reasons = {"AUTISM"};
  req.automatic = true;
  req.requested_at = "2026-11-22T10:00:00Z";
  req.requested_by = "auto_rule";
  EXPECT_EQ(encode_body(req),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","call_type":"WELFARE CHECK","priority":2,)"
            R"("address":"1208 N MAPLE ST APT 3B","dispatched_at":"2026-11-22T09:58:00.000Z","lat":39.8012,)"
            R"("lon":-89.6437,"reasons":["AUTISM"],"automatic":true,"requested_at":"2026-11-22T10:00:00Z",)"
            R"("requested_by":"auto_rule"})");
  EXPECT_EQ(encode_body(CoresponderStatus{"2A31-I-1-1", "I-1", "cancelled", {}, {}, {}}),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","state":"cancelled"})");
  EXPECT_EQ(encode_body(CoresponderResponse{"2A31-I-1-1", "I-1", true, "CR-7 Clinician", 201}),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","accepted":true,"name":"CR-7 Clinician","eta_s":201})");
  EXPECT_EQ(encode_body(CoresponderResponse{"R-9", "I-9", false, {}, {}}),
            R"({"request_id":"R-9","incident_id":"I-9","accepted":false})");
  EXPECT_EQ(encode_body(CoresponderState{{}, "busy", "2026-11-22T10:31:00Z", "CR-7 Clinician", "2026-11-22T10:01:00Z"}),
            R"({"state":"busy","free_at":"2026-11-22T10:31:00Z","name":"CR-7 Clinician","changed_at":"2026-11-22T10:01:00Z"})");
  EXPECT_EQ(encode_body(Avl{39.7817, -89.6501, 12.5, 270, {}}),
            R"({"lat":39.7817,"lon":-89.6501,"speed_mps":12.5,"course_deg":270})");
  EXPECT_EQ(encode_body(Hello{"patrol", "2A31 Patrol"}), R"({"role":"patrol","name":"2A31 Patrol"})");
  EXPECT_EQ(encode_body(Hello{"patrol", "2A31", true}), R"({"role":"patrol","name":"2A31","diagnostic":true})");
  EXPECT_EQ(encode_body(Outbound{Avl{1, 2, {}, {}, {}}}), R"({"lat":1,"lon":2})");
}

TEST(WireCodec, AMessageWithNoPayloadEncodesAsItsEnvelope) {
  Message m;
  m.seq = 3;
  EXPECT_EQ(encode(m), R"({"v":1,"type":"","seq":3})");
  EXPECT_EQ(decode("all", encode(m)).error().code, "wire.unknown_type");
}

}  // namespace
}  // namespace mdtc::bridge
