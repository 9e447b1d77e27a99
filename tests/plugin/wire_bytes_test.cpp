// What the pipeline sends, byte for byte. The expected bodies were taken
// from the pipeline as it stood before the wire protocol became typed
// (when it built this JSON itself): the wire contract says these bytes do
// not change, so the typed encoders must write exactly them.
#include <gtest/gtest.h>

#include "fake_ports.h"
#include "pipeline.h"
#include "wire_message.h"

namespace mdtc::plugin {
namespace {

constexpr int64_t kT0 = 1'795'341'600'000;  // 2026-11-22T10:00:00Z

bridge::Message flagged_dispatch() {
  bridge::Incident inc;
  inc.id = "I-1";
  inc.call_type = "WELFARE CHECK";
  inc.priority = 2;
  inc.units = {"2A31"};
  inc.location.address = "1208 N MAPLE ST APT 3B";
  inc.location.lat = 39.8012;
  inc.location.lon = -89.6437;
  bridge::Message m = test::dispatch_message(inc, "unit.2A31");
  m.sent_at = "2026-11-22T09:58:00Z";
  return m;
}

std::string sent(const test::FakePorts& ports, const std::string& type) {
  const auto* s = ports.last("send", type);
  return s ? s->body : "(nothing sent)";
}

TEST(WireBytes, PatrolRequestAndItsWithdrawal) {
  test::FakePorts ports;
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  PipelineOptions o;
  o.role = config::Role::patrol;
  o.unit_id = "2A31";
  int64_t wall = kT0;
  o.wall_ms = [&wall] { return wall; };
  Pipeline pipeline(o, ports);
  pipeline.on_message(flagged_dispatch(), 0);
  wall = kT0 + 5'000;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  EXPECT_EQ(sent(ports, "coresponder_request"),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","call_type":"WELFARE CHECK","priority":2,)"
            R"("address":"1208 N MAPLE ST APT 3B","dispatched_at":"2026-11-22T09:58:00.000Z","lat":39.8012,)"
            R"("lon":-89.6437,"reasons":["AUTISM"],"requested_at":"2026-11-22T10:00:05Z","requested_by":"officer"})");
  pipeline.on_message(test::from_wire("cancel", R"({"incident_id":"I-1"})", "unit.2A31"), 2);
  EXPECT_EQ(sent(ports, "coresponder_status"),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","state":"cancelled"})");
}

TEST(WireBytes, AutomaticRequestSaysSo) {
  test::FakePorts ports;
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  PipelineOptions o;
  o.role = config::Role::patrol;
  o.unit_id = "2A31";
  o.auto_request = *config::parse_auto_request_rules("WELFARE CHECK");
  o.wall_ms = [] { return kT0; };
  Pipeline pipeline(o, ports);
  pipeline.on_message(flagged_dispatch(), 0);
  EXPECT_EQ(sent(ports, "coresponder_request"),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","call_type":"WELFARE CHECK","priority":2,)"
            R"("address":"1208 N MAPLE ST APT 3B","dispatched_at":"2026-11-22T09:58:00.000Z","lat":39.8012,)"
            R"("lon":-89.6437,"reasons":["AUTISM"],"automatic":true,"requested_at":"2026-11-22T10:00:00Z",)"
            R"("requested_by":"auto_rule"})");
}

TEST(WireBytes, ClinicianResponseProgressStateAndAvl) {
  test::FakePorts ports;
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  PipelineOptions o;
  o.role = config::Role::coresponder;
  o.unit_id = "CR7";
  o.unit_name = "CR-7 Clinician";
  o.wall_ms = [] { return kT0 + 60'000; };
  Pipeline pipeline(o, ports);
  gps::Fix fix;
  fix.mode = gps::Mode::fix_3d;
  fix.lat = 39.7817;
  fix.lon = -89.6501;
  fix.speed_mps = 12.5;
  fix.course_deg = 270;
  pipeline.on_fix(fix, 0);
  EXPECT_EQ(sent(ports, "avl"),
            R"({"lat":39.7817,"lon":-89.6501,"speed_mps":12.5,"course_deg":270})");
  pipeline.on_message(test::from_wire("coresponder_request",
                                      R"({"request_id":"2A31-I-1-1","incident_id":"I-1","from_unit":"2A31",)"
                                      R"("call_type":"WELFARE CHECK","address":"1208 N MAPLE ST APT 3B",)"
                                      R"("lat":39.8012,"lon":-89.6437,"reasons":["AUTISM"]})",
                                      "unit.CR7"),
                      10);
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 20).ok());
  EXPECT_EQ(sent(ports, "coresponder_response"),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","accepted":true,"name":"CR-7 Clinician","eta_s":201})");
  EXPECT_EQ(sent(ports, "coresponder_state"),
            R"({"state":"busy","name":"CR-7 Clinician","changed_at":"2026-11-22T10:01:00Z"})");
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "en_route", 30).ok());
  EXPECT_EQ(sent(ports, "coresponder_status"),
            R"({"request_id":"2A31-I-1-1","incident_id":"I-1","state":"en_route"})");
  ASSERT_TRUE(pipeline.on_user_action("availability", "state_busy", 40, R"({"free_in_min":"30"})").ok());
  EXPECT_EQ(sent(ports, "coresponder_state"),
            R"({"state":"busy","free_at":"2026-11-22T10:31:00Z","name":"CR-7 Clinician","changed_at":"2026-11-22T10:01:00Z"})");
}

TEST(WireBytes, DeclineCarriesNoEta) {
  test::FakePorts ports;
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  PipelineOptions o;
  o.role = config::Role::coresponder;
  o.unit_id = "CR7";
  Pipeline pipeline(o, ports);
  pipeline.on_message(test::from_wire("coresponder_request", R"({"request_id":"R-9","incident_id":"I-9"})", "unit.CR7"),
                      0);
  ASSERT_TRUE(pipeline.on_user_action("offer:R-9", "decline", 1).ok());
  EXPECT_EQ(sent(ports, "coresponder_response"),
            R"({"request_id":"R-9","incident_id":"I-9","accepted":false})");
}

}  // namespace
}  // namespace mdtc::plugin
