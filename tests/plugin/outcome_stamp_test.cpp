// The pipeline stamps each step of a co-responder request into the outcome
// record as it happens, on both sides, and a restart loses none of them.
#include <gtest/gtest.h>

#include "fake_ports.h"
#include "outcome_store.h"
#include "pipeline.h"
#include "temp_dir.h"
#include "wire_message.h"

namespace mdtc::plugin {
namespace {

constexpr int64_t kT0 = 1'795'341'600'000;  // 2026-11-22T10:00:00Z

bridge::Message wire(const std::string& type, const std::string& body, const std::string& topic) {
  return test::from_wire(type, body, topic);
}

bridge::Message flagged_dispatch() {
  bridge::Incident inc;
  inc.id = "I-1";
  inc.call_type = "WELFARE CHECK";
  inc.priority = 2;
  inc.units = {"2A31"};
  inc.location.address = "1208 N MAPLE ST APT 3B";
  inc.location.lat = 39.8012;
  inc.location.lon = -89.6437;
  return test::dispatch_message(inc, "unit.2A31");
}

std::string status(const std::string& state) {
  return R"({"request_id":"2A31-I-1-1","incident_id":"I-1","state":")" + state + R"(","by_unit":"CR7"})";
}

// A pipeline whose wall clock the test moves.
struct Clocked {
  int64_t wall = kT0;
  PipelineOptions with_clock(PipelineOptions o) {
    o.wall_ms = [this] { return wall; };
    return o;
  }
};

PipelineOptions patrol(std::string rules = {}) {
  PipelineOptions o;
  o.role = config::Role::patrol;
  o.unit_id = "2A31";
  if (!rules.empty()) {
    auto parsed = config::parse_auto_request_rules(rules);
    EXPECT_TRUE(parsed.ok());
    if (parsed.ok()) o.auto_request = *parsed;
  }
  return o;
}

PipelineOptions clinician() {
  PipelineOptions o;
  o.role = config::Role::coresponder;
  o.unit_id = "CR7";
  return o;
}

std::string steps(const std::vector<OutcomeStamp>& stamps) {
  std::string out;
  for (const auto& s : stamps) out += std::string(to_string(s.step)) + "@" + std::to_string((s.at_ms - kT0) / 1000) + " ";
  return out;
}

class PatrolStamps : public ::testing::Test, protected Clocked {
 protected:
  PatrolStamps() : pipeline(with_clock(patrol()), ports) {
    ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  }
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(PatrolStamps, EachStepIsStampedWhenTheCarLearnsOfIt) {
  pipeline.on_message(flagged_dispatch(), 0);
  EXPECT_TRUE(ports.stamps.empty()) << "a panel alone is no request";
  wall = kT0 + 5'000;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  ASSERT_EQ(ports.stamps.size(), 1u);
  EXPECT_EQ(ports.stamps[0].request_id, "2A31-I-1-1");
  EXPECT_EQ(ports.stamps[0].incident_id, "I-1");
  EXPECT_EQ(ports.stamps[0].unit, "2A31");
  EXPECT_EQ(ports.stamps[0].requested_by, "officer");
  const auto* sent = ports.last("send", "coresponder_request");
  ASSERT_NE(sent, nullptr);
  EXPECT_NE(sent->body.find(R"("requested_at":"2026-11-22T10:00:05Z","requested_by":"officer")"),
            std::string::npos)
      << sent->body;
  int64_t t = 5'000;
  for (const char* state : {"accepted", "en_route", "on_scene", "cleared"}) {
    t += 60'000;
    wall = kT0 + t;
    pipeline.on_message(wire("coresponder_status", status(state), "unit.2A31"), 2);
  }
  EXPECT_EQ(steps(ports.stamps), "requested@5 accepted@65 en_route@125 on_scene@185 cleared@245 ");
}

TEST_F(PatrolStamps, ADeclineIsNoStepAndARefusedRequestIsNoRequest) {
  pipeline.on_message(flagged_dispatch(), 0);
  ports.send_answer = Sent::failed;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 1).ok());
  EXPECT_TRUE(ports.stamps.empty()) << "CAD never had it";
  ports.send_answer = Sent::kept;
  ASSERT_TRUE(pipeline.on_user_action("coresponder:I-1", "request_coresponder", 2).ok());
  pipeline.on_message(wire("coresponder_status",
                           R"({"request_id":"2A31-I-1-2","incident_id":"I-1","state":"declined"})",
                           "unit.2A31"),
                      3);
  EXPECT_EQ(steps(ports.stamps), "requested@0 ");
  EXPECT_EQ(ports.stamps[0].request_id, "2A31-I-1-2");
}

TEST(PatrolAutoStamps, AnAutoRuleRequestSaysSo) {
  Clocked clock;
  test::FakePorts ports;
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  Pipeline pipeline(clock.with_clock(patrol("WELFARE CHECK")), ports);
  pipeline.on_message(flagged_dispatch(), 0);
  ASSERT_EQ(ports.stamps.size(), 1u);
  EXPECT_EQ(ports.stamps[0].step, OutcomeStep::requested);
  EXPECT_EQ(ports.stamps[0].requested_by, "auto_rule");
}

class ClinicianStamps : public ::testing::Test, protected Clocked {
 protected:
  ClinicianStamps() : pipeline(with_clock(clinician()), ports) {
    ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  }
  static bridge::Message request(const std::string& extra) {
    return wire("coresponder_request",
                R"({"request_id":"2A31-I-1-1","incident_id":"I-1","from_unit":"2A31",)"
                R"("call_type":"WELFARE CHECK","address":"1208 N MAPLE ST APT 3B",)"
                R"("lat":39.8012,"lon":-89.6437,"reasons":["AUTISM"])" + extra + "}",
                "unit.CR7");
  }
  Status act(const std::string& action, int64_t at_s, const std::string& payload = {}) {
    wall = kT0 + at_s * 1000;
    return pipeline.on_user_action("offer:2A31-I-1-1", action, 1, payload);
  }
  test::FakePorts ports;
  Pipeline pipeline;
};

TEST_F(ClinicianStamps, TheOfficersRequestTimeAndEveryStepOfTheClinician) {
  wall = kT0 + 20'000;
  pipeline.on_message(request(R"(,"requested_at":"2026-11-22T10:00:05Z","requested_by":"officer")"), 0);
  ASSERT_TRUE(act("accept", 30).ok());
  ASSERT_TRUE(act("en_route", 40).ok());
  ASSERT_TRUE(act("on_scene", 600).ok());
  const auto* panel = ports.last("update", "offer:2A31-I-1-1");
  ASSERT_NE(panel, nullptr);
  EXPECT_NE(panel->body.find(R"("id":"officer_released")"), std::string::npos);
  ASSERT_TRUE(act("officer_released", 900).ok());
  EXPECT_FALSE(act("officer_released", 901).ok()) << "once";
  ASSERT_TRUE(act("clear", 1800).ok());
  EXPECT_EQ(steps(ports.stamps),
            "requested@5 offered@20 accepted@30 en_route@40 on_scene@600 officer_released@900 cleared@1800 ");
  for (const auto& s : ports.stamps) EXPECT_EQ(s.unit, "CR7");
  EXPECT_EQ(ports.stamps[0].requested_by, "officer");
}

TEST_F(ClinicianStamps, ARequestFromAnOlderCarIsStampedFromTheOffer) {
  pipeline.on_message(request(R"(,"automatic":true)"), 0);
  ASSERT_EQ(ports.stamps.size(), 1u);
  EXPECT_EQ(ports.stamps[0].step, OutcomeStep::offered);
  EXPECT_EQ(ports.stamps[0].requested_by, "auto_rule");
}

TEST_F(ClinicianStamps, ADeclineStampsNothingMore) {
  pipeline.on_message(request(""), 0);
  ASSERT_TRUE(act("decline", 10).ok());
  EXPECT_EQ(steps(ports.stamps), "offered@0 ");
}

TEST_F(ClinicianStamps, TheOutcomePanelOffersEveryCodedFieldDefaultingToUnknown) {
  pipeline.on_message(request(""), 0);
  for (const char* a : {"accept", "en_route", "on_scene", "clear"}) ASSERT_TRUE(act(a, 1).ok()) << a;
  const auto* panel = ports.last("update", "offer:2A31-I-1-1");
  ASSERT_NE(panel, nullptr);
  for (const char* d : kDispositions) EXPECT_NE(panel->body.find(std::string(R"("id":")") + d + "\""), std::string::npos) << d;
  EXPECT_NE(panel->body.find(R"("inputs":[{"id":"contact_type","label":"Contact","value":"unknown","options":[)"),
            std::string::npos)
      << panel->body;
  for (const char* f : {"age_band", "presenting_issue", "services_referred", "police_backup", "transport_by",
                        "repeat_contact", "note"})
    EXPECT_NE(panel->body.find(std::string(R"({"id":")") + f + R"(","label")"), std::string::npos) << f;
}

// Found from outside: a refused filing was only logged, and the clinician
// took the call as recorded.
TEST_F(ClinicianStamps, AFilingThatIsNotKeptSaysSoOnThePanelUntilOneIs) {
  pipeline.on_message(request(""), 0);
  for (const char* a : {"accept", "en_route", "on_scene", "clear"}) ASSERT_TRUE(act(a, 1).ok()) << a;
  const auto panel = [&] { return ports.panel("offer:2A31-I-1-1"); };
  ASSERT_FALSE(act("resolved_on_scene", 2, R"({"age_band":"twenty"})").ok());
  EXPECT_NE(panel().find("NOT FILED - age_band = 'twenty': expected one of"), std::string::npos) << panel();
  ports.outcome_refusal = make_error("outcomes.not_written", "outcome file o.db: disk full");
  ASSERT_FALSE(act("resolved_on_scene", 3).ok());
  EXPECT_NE(panel().find("NOT FILED - outcome file o.db: disk full"), std::string::npos) << panel();
  EXPECT_NE(panel().find(R"("id":"resolved_on_scene")"), std::string::npos) << "the clinician can file again";
  ASSERT_TRUE(act("resolved_on_scene", 4).ok());
  EXPECT_EQ(panel().find("NOT FILED"), std::string::npos) << panel();
  EXPECT_EQ(ports.outcomes.size(), 1u);
}

TEST_F(ClinicianStamps, FilingCarriesTheChosenCodesAndUnknownForTheRest) {
  pipeline.on_message(request(""), 0);
  for (const char* a : {"accept", "en_route", "on_scene", "clear"}) ASSERT_TRUE(act(a, 1).ok()) << a;
  auto bad = act("voluntary_transport", 2, R"({"transport_by":"taxi"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "plugin.bad_outcome_code");
  EXPECT_NE(bad.error().message.find("transport_by = 'taxi': expected one of none, clinician"), std::string::npos)
      << bad.error().message;
  ASSERT_TRUE(act("voluntary_transport", 3,
                  R"({"transport_by":"clinician","age_band":"65_plus","note":"Daughter present"})")
                  .ok());
  ASSERT_EQ(ports.outcomes.size(), 1u);
  const Outcome& o = ports.outcomes[0];
  EXPECT_EQ(o.disposition(), "voluntary_transport");
  EXPECT_EQ(o.code("transport_by"), "clinician");
  EXPECT_EQ(o.code("age_band"), "65_plus");
  EXPECT_EQ(o.code("contact_type"), "unknown");
  EXPECT_EQ(o.note, "Daughter present");
}

// Ports that write stamps and filings to a real outcome file, as the plugin does.
struct StorePorts : test::FakePorts {
  explicit StorePorts(const std::string& path) : store(std::move(OutcomeStore::open(path).value())) {}
  void stamp_outcome(const OutcomeStamp& s) override {
    FakePorts::stamp_outcome(s);
    EXPECT_TRUE(store.stamp(s).ok());
  }
  Status record_outcome(Outcome o) override {
    o.recorded_at = "2026-11-22T11:00:00Z";
    return store.record(o);
  }
  OutcomeStore store;
};

TEST(OutcomeStampsOnDisk, ARestartMidCallLosesNoStep) {
  test::TempDir dir;
  const std::string path = dir.file("outcomes-CR7.db");
  std::map<std::string, std::string> journal;
  Clocked clock;
  {
    StorePorts ports(path);
    ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
    Pipeline pipeline(clock.with_clock(clinician()), ports);
    clock.wall = kT0 + 20'000;
    pipeline.on_message(
        wire("coresponder_request",
             R"({"request_id":"2A31-I-1-1","incident_id":"I-1","from_unit":"2A31","address":"1208 N MAPLE ST",)"
             R"("requested_at":"2026-11-22T10:00:05Z","requested_by":"officer"})",
             "unit.CR7"),
        0);
    clock.wall = kT0 + 30'000;
    ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "accept", 1).ok());
    clock.wall = kT0 + 40'000;
    ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "en_route", 2).ok());
    journal = ports.journal;
  }  // the MDT restarts here
  StorePorts ports(path);
  ports.answer = [](const cache::AddressQuery&) { return test::flagged_premise(); };
  Pipeline pipeline(clock.with_clock(clinician()), ports);
  // The offer, and the clinician's own state (busy since the accept).
  ASSERT_EQ(journal.size(), 2u);
  ASSERT_EQ(journal.count("availability"), 1u);
  for (const auto& [key, record] : journal) pipeline.restore(record, 0);
  clock.wall = kT0 + 600'000;
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "on_scene", 3).ok());
  clock.wall = kT0 + 1'800'000;
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "clear", 4).ok());
  ASSERT_TRUE(pipeline.on_user_action("offer:2A31-I-1-1", "referral_made", 5, R"({"repeat_contact":"yes"})").ok());

  auto all = ports.store.all();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  const Outcome& o = (*all)[0];
  EXPECT_EQ(o.time(OutcomeStep::requested), kT0 + 5'000);
  EXPECT_EQ(o.time(OutcomeStep::offered), kT0 + 20'000);
  EXPECT_EQ(o.time(OutcomeStep::accepted), kT0 + 30'000);
  EXPECT_EQ(o.time(OutcomeStep::en_route), kT0 + 40'000);
  EXPECT_EQ(o.time(OutcomeStep::on_scene), kT0 + 600'000);
  EXPECT_EQ(o.time(OutcomeStep::cleared), kT0 + 1'800'000);
  EXPECT_FALSE(o.time(OutcomeStep::officer_released));
  EXPECT_EQ(o.requested_by, "officer");
  EXPECT_EQ(o.disposition(), "referral_made");
  EXPECT_EQ(o.code("repeat_contact"), "yes");
}

}  // namespace
}  // namespace mdtc::plugin
