// The whole product on loopback: stub-cad plays a scenario, stub-mdt-host
// loads the real plugin, and the assertions read the host's record of every
// callback — what an officer and a clinician would have seen.
#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <string>
#include <vector>

#include "child_process.h"
#include "mdtc/bridge.h"
#include "incident_journal.h"
#include "mdtc/cache.h"
#include "mdtc/sqlite.h"
#include "mdtc/text_sealer.h"
#include "mdtc/time_text.h"
#include "small_disk.h"
#include "temp_dir.h"

namespace mdtc::test {
namespace {

using namespace std::chrono_literals;

const std::string kRegistry = MDTC_SOURCE_DIR "/demo/registry.jsonl";

bool has(const std::string& line, const std::string& what) {
  return line.find(what) != std::string::npos;
}

std::string waits_for_units(std::initializer_list<const char*> units);

class EndToEnd : public ::testing::Test {
 protected:
  EndToEnd() : pub_port(free_tcp_port()), router_port(free_tcp_port()) {}

  // The stub host refuses and records any panel that is not a valid
  // version-1 document (docs/panel-format.md): no scenario may produce one.
  void TearDown() override {
    for (const auto& file : std::filesystem::directory_iterator(dir.path())) {
      if (file.path().extension() != ".jsonl") continue;
      for (const auto& line : read_lines(file.path().string()))
        EXPECT_FALSE(has(line, R"("panel_invalid")")) << file.path().filename() << ": " << line;
    }
  }

  std::string endpoint(int port) const { return "tcp://127.0.0.1:" + std::to_string(port); }

  // A unit's config and a cache filled from the demo registry.
  std::string make_unit(const std::string& unit, const std::string& role,
                        const std::string& name, const std::string& extra_ini = {},
                        const std::string& data_dir = {}) {
    const std::string db = (data_dir.empty() ? dir.path() : data_dir) + "/" + unit + ".db";
    auto cache = cache::Cache::open({db, "", true, 24});
    EXPECT_TRUE(cache.ok()) << (cache.ok() ? "" : cache.error().message);
    if (cache.ok()) {
      auto imported = cache->import_file(kRegistry);
      EXPECT_TRUE(imported.ok()) << (imported.ok() ? "" : imported.error().message);
    }
    const std::string path = dir.file(unit + ".ini");
    write_file(path, "[unit]\nid = " + unit + "\nrole = " + role + "\nname = " + name +
                         "\n\n[cad]\nsubscribe_endpoint = " + endpoint(pub_port) +
                         "\ndealer_endpoint = " + endpoint(router_port) +
                         "\n\n[cache]\ndb = " + db +
                         "\n\n[coresponder]\nfallback = Mobile crisis line 555-0199\n" +
                         extra_ini);
    return path;
  }

  // `name` names its files (<name>.out, <name>.jsonl): a second run of the
  // gateway gets its own.
  std::unique_ptr<ChildProcess> start_cad(const std::string& scenario_text,
                                         std::vector<std::string> extra = {},
                                         const std::string& name = "cad") {
    const std::string scenario = dir.file(name == "cad" ? "scenario.jsonl" : name + "-scenario.jsonl");
    write_file(scenario, scenario_text);
    std::vector<std::string> argv{MDTC_STUB_CAD, "--pub", endpoint(pub_port), "--router",
                                  endpoint(router_port), "--scenario", scenario,
                                  "--record", dir.file(name + ".jsonl"), "--heartbeat-ms", "200",
                                  "--exit-when-done"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto cad = std::make_unique<ChildProcess>(argv, dir.file(name + ".out"));
    EXPECT_TRUE(wait_for_line(dir.file(name + ".out"), [](auto& l) { return has(l, "ready"); }, 20s))
        << read_file(dir.file(name + ".out"));
    return cad;
  }

  std::unique_ptr<ChildProcess> start_host(const std::string& unit, const std::string& config,
                                           std::vector<std::string> extra = {},
                                           const std::string& record_name = {}) {
    const std::string rec = record(record_name.empty() ? unit : record_name);
    std::vector<std::string> argv{MDTC_STUB_HOST, "--plugin", MDTC_PLUGIN_PATH, "--config",
                                  config, "--record", rec, "--label", "[" + unit + "]"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return std::make_unique<ChildProcess>(argv, dir.file(unit + ".out"));
  }

  std::string record(const std::string& unit) const { return dir.file(unit + ".jsonl"); }

  // Starts unit 2A31 with `config`, waits until its plugin logs `text`, and
  // stops it: what the plugin says when it starts.
  void expect_logged_at_start(const std::string& config, const std::string& text) {
    auto cad = start_cad(waits_for_units({"2A31"}));
    auto host = start_host("2A31", config);
    ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out")) << read_file(dir.file("2A31.out"));
    ASSERT_TRUE(wait_for_line(record("2A31"), [&](auto& l) { return has(l, R"("cb":"log")") && has(l, text); }, 30s))
        << read_file(record("2A31"));
    EXPECT_EQ(host->terminate(), 0);
  }

  TempDir dir;
  int pub_port, router_port;
};

const char* kUnflagged =
    R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-1","call_type":"NOISE COMPLAINT","priority":3,"units":["2A31"],"location":{"address":"400 E ADAMS ST, SPRINGFIELD IL"}}}}})";
const char* kFlagged =
    R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-2","call_type":"WELFARE CHECK","priority":2,"units":["2A31"],"location":{"address":"1208 n. maple street #3b, Springfield IL","lat":39.8012,"lon":-89.6437}}}}})";

TEST_F(EndToEnd, FlaggedDispatchPopsPanelsAndUnflaggedPopsNothing) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  auto cad = start_cad(std::string(R"({"wait":"hello","unit":"2A31","timeout_s":30})") + "\n" +
                       R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" + "\n" +
                       kUnflagged + "\n" + kFlagged + "\n");
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("panel_id":"coresponder:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);

  std::string premise;
  for (const auto& line : read_lines(record("2A31"))) {
    EXPECT_FALSE(has(line, "I-1\"")) << "the unflagged call popped something: " << line;
    if (has(line, R"("cb":"show_panel","panel_id":"premise:I-2")")) premise = line;
  }
  ASSERT_FALSE(premise.empty());
  EXPECT_TRUE(has(premise, "Legally owns rifles"));
  EXPECT_TRUE(has(premise, "calm with low voice"));
  EXPECT_TRUE(has(premise, "RESOLVED ON SCENE"));
  EXPECT_FALSE(has(premise, "Dr. A")) << "clinician-only note on an officer's panel";
  EXPECT_FALSE(has(premise, "outpatient")) << "SUD record on an officer's panel";
  EXPECT_FALSE(has(premise, "Expired record")) << "expired flag shown";

  // Every flag shown was audited, and the chain verifies.
  auto cache = cache::Cache::open({dir.file("2A31.db"), "", false, 24});
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  auto stats = cache->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->audit_records, 1) << "one record for the one flagged dispatch";
  EXPECT_TRUE(cache->verify().ok());
}

TEST_F(EndToEnd, MalformedMessageIsDroppedAndCountedAndTheNextStillPops) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  auto cad = start_cad(std::string(R"({"wait":"hello","unit":"2A31","timeout_s":30})") + "\n" +
                       R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" + "\n" +
                       R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":1,\"type\":\"dispatch\",\"seq\":"}})" +
                       "\n" + R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":7,\"type\":\"dispatch\"}"}})" +
                       "\n" + kFlagged + "\n");
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("panel_id":"premise:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
  // The host records the plugin's status (with the link's counters) on exit.
  std::string status;
  for (const auto& line : read_lines(record("2A31")))
    if (has(line, R"("cb":"status")")) status = line;
  ASSERT_FALSE(status.empty());
  Poco::JSON::Parser parser;
  auto doc = parser.parse(status).extract<Poco::JSON::Object::Ptr>()->getObject("doc");
  auto link = doc->getObject("cad_link");
  uint64_t dropped = 0;
  for (const auto& name : link->getNames())
    if (name.rfind("dropped", 0) == 0) dropped += link->getValue<uint64_t>(name);
  EXPECT_EQ(dropped, 2u) << status;
}

// A dispatch CAD sent without a location is dropped (the protocol requires
// one), but the officer is told its flags were not checked: no panel must
// not read as "no flags".
TEST_F(EndToEnd, ADispatchWithoutALocationSaysItsFlagsWereNotChecked) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  auto cad = start_cad(std::string(R"({"wait":"hello","unit":"2A31","timeout_s":30})") + "\n" +
                       R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" + "\n" +
                       R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":"I-7","call_type":"ASSAULT","location":{"address":""}}}}})" +
                       "\n" + kFlagged + "\n");
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("panel_id":"premise:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
  int told = 0;
  for (const auto& line : read_lines(record("2A31")))
    if (has(line, R"("cb":"notify")") && has(line, "Dispatch I-7 could not be read - its flags were not checked")) ++told;
  EXPECT_EQ(told, 1) << read_file(record("2A31"));
}

TEST_F(EndToEnd, CoresponderAcceptsAndOfficerSeesWho) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician");
  auto cad = start_cad(std::string(R"({"wait":"hello","unit":"2A31","timeout_s":30})") + "\n" +
                       R"({"wait":"hello","unit":"CR7","timeout_s":30})" + "\n" +
                       R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" + "\n" +
                       R"({"wait":"subscriber","topic":"unit.CR7","timeout_s":30})" + "\n" +
                       kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":30})" +
                       "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  auto clinic = start_host("CR7", clinician, {"--auto-action", "accept"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, "Accepted by CR-7 Clinician (CR7)"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(officer->terminate(), 0);
  EXPECT_EQ(clinic->terminate(), 0);

  // The clinician saw clinician-level detail with the Part 2 notice...
  bool offer_with_detail = false;
  for (const auto& line : read_lines(record("CR7")))
    if (has(line, R"("panel_id":"offer:)") && has(line, "Dr. A") && has(line, "42 CFR part 2"))
      offer_with_detail = true;
  EXPECT_TRUE(offer_with_detail) << read_file(record("CR7"));
  // ...and nothing the officer's host received carries it.
  for (const auto& line : read_lines(record("2A31"))) {
    for (const char* secret : {"Dr. A", "555-0100", "outpatient", "SUD_TREATMENT", "IN_TREATMENT",
                               "R. Roe", "42 CFR"})
      EXPECT_FALSE(has(line, secret)) << secret << " reached the officer: " << line;
  }
  // No log line, at any level, carries a name, a note or an address.
  for (const auto* unit : {"2A31", "CR7"}) {
    for (const auto& line : read_lines(record(unit))) {
      if (!has(line, R"("cb":"log")")) continue;
      for (const char* secret : {"J. Doe", "R. Roe", "rifles", "Nonverbal", "Dr. A", "outpatient",
                                 "MAPLE", "maple"})
        EXPECT_FALSE(has(line, secret)) << secret << " in a log line: " << line;
    }
  }
  // CAD carried reason codes only, never notes or names.
  for (const auto& line : read_lines(dir.file("cad.jsonl"))) {
    for (const char* secret : {"Nonverbal", "J. Doe", "Dr. A", "rifles"})
      EXPECT_FALSE(has(line, secret)) << secret << " crossed CAD: " << line;
  }
}

std::string waits_for_units(std::initializer_list<const char*> units) {
  std::string out;
  for (const char* u : units)
    out += std::string(R"({"wait":"hello","unit":")") + u + R"(","timeout_s":30})" + "\n" +
           R"({"wait":"subscriber","topic":"unit.)" + u + R"(","timeout_s":30})" + "\n";
  return out;
}

TEST_F(EndToEnd, EveryCoresponderDecliningShowsTheFallback) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician");
  auto cad = start_cad(waits_for_units({"2A31", "CR7"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  auto clinic = start_host("CR7", clinician, {"--auto-action", "decline"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, "Declined by every clinician unit on duty") && has(l, "555-0199");
  }, 30s)) << read_file(dir.file("2A31.out"));
}

TEST_F(EndToEnd, TwoCorespondersRacingOnlyOneWins) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto cr7 = make_unit("CR7", "coresponder", "CR-7 Clinician");
  const auto cr9 = make_unit("CR9", "coresponder", "CR-9 Clinician");
  auto cad = start_cad(waits_for_units({"2A31", "CR7", "CR9"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_response","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  auto a = start_host("CR7", cr7, {"--auto-action", "accept"});
  auto b = start_host("CR9", cr9, {"--auto-action", "accept"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  std::string winner;
  ASSERT_TRUE(wait_for_line(record("2A31"), [&](auto& l) {
    if (!has(l, "Accepted by")) return false;
    winner = has(l, "(CR7)") ? "CR7" : "CR9";
    return true;
  }, 30s)) << read_file(dir.file("2A31.out"));
  const std::string loser = winner == "CR7" ? "CR9" : "CR7";
  EXPECT_TRUE(wait_for_line(record(loser), [](auto& l) { return has(l, "Taken by another unit"); },
                            30s))
      << loser << " was not told the request was taken";
  EXPECT_TRUE(officer->terminate() == 0 && a->terminate() == 0 && b->terminate() == 0);
  for (const auto& line : read_lines(record(winner)))
    EXPECT_FALSE(has(line, "Taken by another unit")) << "the winner was told it lost: " << line;
  for (const auto& line : read_lines(record("2A31"))) {
    if (has(line, "Accepted by")) {
      EXPECT_TRUE(has(line, "(" + winner + ")")) << "the officer was told of the loser: " << line;
    }
  }
}

TEST_F(EndToEnd, TwoCliniciansInDifferentStatesOnlyTheAvailableOneIsOfferedTheCall) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol", "crisis_line_uri = tel:988\n");
  const auto cr7 = make_unit("CR7", "coresponder", "CR-7 Clinician");
  const auto cr9 = make_unit("CR9", "coresponder", "CR-9 Clinician");
  auto cad = start_cad(waits_for_units({"2A31", "CR7", "CR9"}) +
                       // Both states, in whichever order they come.
                       R"({"wait":"message","type":"coresponder_state","timeout_s":30})" + "\n" +
                       R"({"wait":"message","type":"coresponder_state","timeout_s":30})" + "\n" +
                       kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  // One tap each on the availability panel: CR7 available, CR9 busy.
  auto a = start_host("CR7", cr7, {"--auto-action", "state_available", "--auto-action", "accept"});
  auto b = start_host("CR9", cr9, {"--auto-action", "state_busy", "--auto-action", "accept"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "Accepted by CR-7 Clinician (CR7)"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_TRUE(officer->terminate() == 0 && a->terminate() == 0 && b->terminate() == 0);
  // Before anyone accepted, the officer's panel listed both live states,
  // the available unit first, and the next steps with the crisis line.
  bool listed = false;
  for (const auto& line : read_lines(record("2A31"))) {
    if (!has(line, R"("panel_id":"coresponder:I-2")")) continue;
    const auto at7 = line.find("CR-7 Clinician"), at9 = line.find("CR-9 Clinician");
    if (at7 != std::string::npos && at9 != std::string::npos && at7 < at9 && has(line, "Available - ") &&
        has(line, "Busy - free time not given") && has(line, "tel:988"))
      listed = true;
  }
  EXPECT_TRUE(listed) << read_file(record("2A31"));
  // CAD offered the call to the available unit only.
  for (const auto& line : read_lines(record("CR9")))
    EXPECT_FALSE(has(line, R"("panel_id":"offer:)")) << "the busy unit was offered the call: " << line;
  int offers = 0;
  for (const auto& line : read_lines(dir.file("cad.jsonl")))
    if (has(line, R"("dir":"out")") && has(line, R"("type":"coresponder_request")")) {
      ++offers;
      EXPECT_TRUE(has(line, R"("topic":"unit.CR7")")) << line;
    }
  EXPECT_EQ(offers, 1);
}

TEST_F(EndToEnd, DispatchAsksForACoresponderAndTheOfficerSeesThatDispatchAsked) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician");
  auto cad = start_cad(
      waits_for_units({"2A31", "CR7"}) + kFlagged + "\n" +
      R"({"dispatch_request":{"for_unit":"2A31","request_id":"D-1","incident_id":"I-2","call_type":"WELFARE CHECK","address":"1208 N MAPLE ST APT 3B, SPRINGFIELD IL","lat":39.8012,"lon":-89.6437,"reasons":[]}})" + "\n" +
      R"({"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol);  // the officer never taps Request
  auto clinic = start_host("CR7", clinician, {"--auto-action", "accept"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "Accepted by CR-7 Clinician (CR7)"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_TRUE(officer->terminate() == 0 && clinic->terminate() == 0);
  bool said = false;
  for (const auto& line : read_lines(record("2A31")))
    if (has(line, "Requested by dispatch - waiting for a clinician unit")) said = true;
  EXPECT_TRUE(said) << read_file(record("2A31"));
  bool offer_says = false;
  for (const auto& line : read_lines(record("CR7")))
    if (has(line, R"("panel_id":"offer:D-1")") && has(line, "Dispatch")) offer_says = true;
  EXPECT_TRUE(offer_says) << read_file(record("CR7"));
}

TEST_F(EndToEnd, NobodyAcceptingInTimeShowsTheFallback) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol", "accept_timeout_s = 1\n");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician");
  auto cad = start_cad(waits_for_units({"2A31", "CR7"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  auto clinic = start_host("CR7", clinician);  // sees the offer, never answers
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, "Nobody accepted in time") && has(l, "555-0199");
  }, 30s)) << read_file(dir.file("2A31.out"));
  EXPECT_TRUE(wait_for_line(record("CR7"), [](auto& l) { return has(l, R"("panel_id":"offer:)"); }, 10s));
}

TEST_F(EndToEnd, CurveLinkCarriesDispatchesWithPinnedServerKey) {
  auto server = bridge::generate_curve_key_pair();
  auto client = bridge::generate_curve_key_pair();
  ASSERT_TRUE(server.ok() && client.ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("server.key"), *server, false).ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("client.key"), *client, false).ok());
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[cad]\nserver_public_key = " + server->public_key +
                                    "\nclient_key_file = " + dir.file("client.key") + "\n");
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n",
                       {"--server-key-file", dir.file("server.key")});
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, R"("panel_id":"premise:I-2")"); },
                            30s))
      << read_file(dir.file("2A31.out"));
}

TEST_F(EndToEnd, AuthenticatedWipeErasesTheCacheAndLaterLookupsSayUnavailable) {
  auto server = bridge::generate_curve_key_pair();
  auto client = bridge::generate_curve_key_pair();
  ASSERT_TRUE(server.ok() && client.ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("server.key"), *server, false).ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("client.key"), *client, false).ok());
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[cad]\nserver_public_key = " + server->public_key +
                                    "\nclient_key_file = " + dir.file("client.key") + "\n");
  const std::string again = std::string(kFlagged).replace(std::string(kFlagged).find("I-2"), 3, "I-3");
  // What a reset and a corrupt file left beside the cache: the same data.
  for (const char* aside : {"2A31.db.reset-20260101T000000Z", "2A31.db.reset-20260101T000000Z-wal",
                            "2A31.db.corrupt-20260102T000000Z", "2A31.db.audit.corrupt-20260103T000000Z"})
    write_file(dir.file(aside), "1208 N MAPLE ST WEAPONS");
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n" +
                           R"({"publish":{"topic":"unit.2A31","body":{"type":"wipe","reason":"laptop reported stolen"}}})" +
                           "\n" + again + "\n",
                       {"--server-key-file", dir.file("server.key")});
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"show_panel","panel_id":"premise:I-3")");
  }, 30s)) << read_file(dir.file("2A31.out"));
  std::string after;
  for (const auto& line : read_lines(record("2A31")))
    if (has(line, R"("cb":"show_panel","panel_id":"premise:I-3")")) after = line;
  EXPECT_TRUE(has(after, "FLAGS UNAVAILABLE")) << after;
  EXPECT_FALSE(has(after, "rifles")) << after;
  EXPECT_FALSE(std::filesystem::exists(dir.file("2A31.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("2A31.db.key")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("2A31.db.audit")));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find("2A31.db."), std::string::npos)
        << entry.path() << " outlived the wipe";
}

TEST_F(EndToEnd, SharedCarErasesTheCacheWhenTheSessionEnds) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[cache]\nwipe_on_session_end = true\n");
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n");
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, R"("panel_id":"premise:I-2")"); },
                            30s));
  ASSERT_TRUE(std::filesystem::exists(dir.file("2A31.db")));
  EXPECT_EQ(host->terminate(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir.file("2A31.db")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("2A31.db.key")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("2A31.db.audit")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("incidents-2A31.db")));
}

TEST_F(EndToEnd, WrongServerKeyNeverConnects) {
  auto server = bridge::generate_curve_key_pair();
  auto impostor = bridge::generate_curve_key_pair();
  auto client = bridge::generate_curve_key_pair();
  ASSERT_TRUE(server.ok() && impostor.ok() && client.ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("impostor.key"), *impostor, false).ok());
  ASSERT_TRUE(bridge::write_curve_key_file(dir.file("client.key"), *client, false).ok());
  // The unit pins the real gateway's key; a gateway holding another key
  // cannot complete the handshake, so not even the hello gets through.
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[cad]\nserver_public_key = " + server->public_key +
                                    "\nclient_key_file = " + dir.file("client.key") + "\n");
  auto cad = start_cad(R"({"wait":"hello","unit":"2A31","timeout_s":3})" "\n",
                       {"--server-key-file", dir.file("impostor.key")});
  auto host = start_host("2A31", config);
  EXPECT_EQ(cad->wait_for_exit(60s), 1) << "the impostor gateway heard from the unit";
}

TEST_F(EndToEnd, CancelMidRequestReachesTheClinician) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician");
  auto cad = start_cad(
      waits_for_units({"2A31", "CR7"}) + kFlagged + "\n" +
      R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" + "\n" +
      R"({"publish":{"topic":"unit.2A31","body":{"type":"cancel","incident_id":"I-2"}}})" + "\n" +
      R"({"wait":"message","type":"coresponder_status","from":"2A31","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  auto clinic = start_host("CR7", clinician);  // sees the offer, has not answered yet
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"close_panel","panel_id":"premise:I-2")");
  }, 30s));
  EXPECT_TRUE(wait_for_line(record("CR7"), [](auto& l) {
    return has(l, R"("panel_id":"offer:)") && has(l, "Cancelled by the requesting unit");
  }, 30s)) << read_file(dir.file("CR7.out"));
}

TEST_F(EndToEnd, MdtKilledMidRequestComesBackWithItsPanels) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician");
  auto cad = start_cad(waits_for_units({"2A31", "CR7"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  auto clinic = start_host("CR7", clinician, {"--auto-action", "accept"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "Accepted by CR-7"); }, 30s));
  // The journal is written just after the screen; crash once it holds the
  // acceptance (read through a second connection, as SQLite's WAL allows).
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  bool journaled = false;
  while (!journaled && std::chrono::steady_clock::now() < deadline) {
    auto journal = plugin::IncidentJournal::open(dir.file("incidents-2A31.db"));
    ASSERT_TRUE(journal.ok());
    // Records are sealed at rest; the test opens them with the unit's key.
    auto sealer = std::filesystem::exists(dir.file("sealing-2A31.key"))
                      ? cache::TextSealer::open(dir.file("sealing-2A31.key"))
                      : Result<std::shared_ptr<const cache::TextSealer>>(make_error("", ""));
    if (auto all = journal->all(); all.ok() && sealer.ok())
      for (const auto& [id, sealed] : *all) {
        const auto json = sealer.value()->open(sealed, "journal:" + id);
        journaled = journaled || (json && has(*json, "\"accepted\""));
      }
    if (!journaled) std::this_thread::sleep_for(10ms);  // written by another process: poll
  }
  ASSERT_TRUE(journaled);
  officer->kill_now();  // power loss, a crash: no orderly stop

  auto again = start_host("2A31", patrol, {}, "2A31-restarted");
  EXPECT_TRUE(wait_for_line(record("2A31-restarted"), [](auto& l) {
    return has(l, R"("cb":"show_panel","panel_id":"premise:I-2")") && has(l, "Legally owns rifles") &&
           has(l, "Shown again after an MDT restart - call dispatched ") && has(l, R"("value":"I-2")");
  }, 30s)) << read_file(dir.file("2A31.out"));
  EXPECT_TRUE(wait_for_line(record("2A31-restarted"), [](auto& l) {
    return has(l, R"("panel_id":"coresponder:I-2")") && has(l, "Accepted by CR-7 Clinician (CR7)");
  }, 30s));
}

// The outside gateway's finding, against the real plugin: seq 1 never
// published, seq 2 a dispatch to a flagged address, the gateway never
// answers the catch-up ask and then restarts while the gap is open. The
// weapons panel pops at once (before any ask was retried, i.e. before any
// ask timed out), and the new run's cancel closes it: nothing held, nothing
// lost, nothing shown twice.
TEST_F(EndToEnd, FlaggedDispatchBehindAnUnansweredGapPopsAtOnceAndSurvivesAGatewayRestart) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  const std::string flagged_seq2 =
      R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","seq":2,"sent_at":"2026-11-22T10:00:00Z",)"
      R"("incident":{"id":"I-2","call_type":"WELFARE CHECK","priority":2,"units":["2A31"],)"
      R"("location":{"address":"1208 n. maple street #3b, Springfield IL","lat":39.8012,"lon":-89.6437}}}}})";
  // The first run lives on for a while after publishing, asked and not answering.
  auto cad = start_cad(std::string(R"({"wait":"hello","unit":"2A31","timeout_s":30})") + "\n" +
                           R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" + "\n" +
                           flagged_seq2 + "\n" + R"({"pause_ms":4000})" + "\n",
                       {"--no-catchup", "--epoch", "run-1"});
  auto host = start_host("2A31", config);
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("cb":"show_panel","panel_id":"premise:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  int asks = 0;
  for (const auto& line : read_lines(dir.file("cad.jsonl"))) asks += has(line, R"("type":"catchup")");
  EXPECT_LE(asks, 1) << "the panel waited for a catch-up ask to be retried";
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));

  auto second = start_cad(std::string(R"({"wait":"hello","unit":"2A31","timeout_s":30})") + "\n" +
                              R"({"wait":"subscriber","topic":"unit.2A31","timeout_s":30})" + "\n" +
                              R"({"publish":{"topic":"unit.2A31","body":{"type":"cancel","incident_id":"I-2",)"
                              R"("sent_at":"2026-11-22T10:05:00Z"}}})" + "\n",
                          {"--epoch", "run-2"}, "cad-2");
  ASSERT_EQ(second->wait_for_exit(60s), 0) << read_file(dir.file("cad-2.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("cb":"close_panel","panel_id":"premise:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
  int shown = 0;
  for (const auto& line : read_lines(record("2A31")))
    shown += has(line, R"("cb":"show_panel","panel_id":"premise:I-2")");
  EXPECT_EQ(shown, 1);
}

// Found from outside: the admin moved the cache aside and imported a new
// one in its place while the MDT ran (deployment.md's fix for a damaged
// cache, without stopping the host). The plugin went on reading the moved
// file, so a flag only the new one held popped no panel, and doctor said
// ok. The plugin now notices the path holds another file and reopens it.
TEST_F(EndToEnd, ACacheReplacedWhileTheMdtRunsIsOpenedAgainAndItsFlagsPop) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  const auto canal = [](const char* incident) {
    return std::string(R"({"publish":{"topic":"unit.2A31","body":{"type":"dispatch","incident":{"id":")") +
           incident +
           R"(","call_type":"DISTURBANCE","priority":2,"units":["2A31"],"location":{"address":"77 CANAL RD, SPRINGFIELD IL"}}}}})";
  };
  auto cad = start_cad(waits_for_units({"2A31"}) + canal("I-1") + "\n" + kFlagged + "\n", {"--epoch", "run-1"});
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("cb":"show_panel","panel_id":"premise:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));

  // The new cache, under the car's own key, holds a flag at 77 CANAL RD.
  {
    auto fresh = cache::Cache::open({dir.file("new.db"), dir.file("2A31.db.key"), true, 24});
    ASSERT_TRUE(fresh.ok()) << fresh.error().message;
    ASSERT_TRUE(fresh->import_file(kRegistry).ok());
    auto added = fresh->import_text(
        R"({"type":"premise","id":"P-CANAL","address":"77 Canal Rd, Springfield IL"}
{"type":"flag","id":"F-CANAL","premise":"P-CANAL","kind":"safety","code":"WEAPONS","audience":"all","note":"Shotgun by the back door"}
)",
        "canal.jsonl", {.legacy = true});
    ASSERT_TRUE(added.ok()) << added.error().message;
  }
  std::filesystem::create_directory(dir.file("aside"));
  for (const char* f : {"2A31.db", "2A31.db-wal", "2A31.db-shm", "2A31.db.audit", "2A31.db.audit-wal",
                        "2A31.db.audit-shm"})
    if (std::filesystem::exists(dir.file(f))) std::filesystem::rename(dir.file(f), dir.file(std::string("aside/") + f));
  std::filesystem::rename(dir.file("new.db"), dir.file("2A31.db"));
  std::filesystem::rename(dir.file("new.db.audit"), dir.file("2A31.db.audit"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"log")") && has(l, "was moved, replaced or deleted while open");
  }, 30s)) << read_file(record("2A31"));

  auto second = start_cad(waits_for_units({"2A31"}) + canal("I-3") + "\n", {"--epoch", "run-2"}, "cad-2");
  ASSERT_EQ(second->wait_for_exit(60s), 0) << read_file(dir.file("cad-2.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("cb":"show_panel","panel_id":"premise:I-3")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
  for (const auto& line : read_lines(record("2A31"))) {
    EXPECT_FALSE(has(line, R"("panel_id":"premise:I-1")")) << "nothing was on file there before: " << line;
    if (has(line, R"("cb":"show_panel","panel_id":"premise:I-3")")) {
      EXPECT_TRUE(has(line, "Shotgun by the back door")) << line;
    }
  }
}

// Found from outside: an audit file deleted while the MDT ran went on
// taking the records of flags shown (the open connection still wrote the
// deleted file), lost with it, and nothing said so until verify. The plugin
// now opens a new one, says so, and verify reports the broken chain.
TEST_F(EndToEnd, AnAuditFileDeletedWhileTheMdtRunsIsMadeAgainAndReported) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n", {"--epoch", "run-1"});
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("cb":"show_panel","panel_id":"premise:I-2")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  for (const char* f : {"2A31.db.audit", "2A31.db.audit-wal", "2A31.db.audit-shm"})
    std::filesystem::remove(dir.file(f));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"log")") && has(l, "2A31.db.audit was moved, replaced or deleted while open");
  }, 30s)) << read_file(record("2A31"));
  const std::string again = std::string(kFlagged).replace(std::string(kFlagged).find("I-2"), 3, "I-3");
  auto second = start_cad(waits_for_units({"2A31"}) + again + "\n", {"--epoch", "run-2"}, "cad-2");
  ASSERT_EQ(second->wait_for_exit(60s), 0) << read_file(dir.file("cad-2.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, R"("cb":"show_panel","panel_id":"premise:I-3")"); }, 30s))
      << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
  auto cache = cache::Cache::open({dir.file("2A31.db"), "", false, 24});
  ASSERT_TRUE(cache.ok()) << cache.error().message;
  auto stats = cache->stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->audit_records, 1) << "the record of I-3's flags is kept";
  const auto verified = cache->verify();
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.error().code, "cache.audit_broken");
}

// Found from outside: `doctor` run on a live car connected to the gateway
// with the car's own routing id, the gateway's ROUTER handed the id to it,
// and the running plugin's co-responder request and positions never left
// the car while its screen said "CAD link up". Doctor now visits under an
// id of its own.
TEST_F(EndToEnd, DoctorOnALiveCarLeavesTheCarsLinkToTheGatewayWorking) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  auto cad = start_cad(waits_for_units({"2A31"}) + R"({"wait":"hello","unit":"2A31-doctor","timeout_s":30})" + "\n" +
                       kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" + "\n");
  auto host = start_host("2A31", config, {"--auto-action", "request_coresponder"});
  ASSERT_TRUE(wait_for_line(dir.file("cad.jsonl"), [](auto& l) { return has(l, R"("type":"hello")"); }, 30s))
      << read_file(dir.file("cad.out"));
  ChildProcess doctor({MDTC_CLI, "doctor", "--config", config, "--timeout-s", "3"}, dir.file("doctor.out"));
  doctor.wait_for_exit(60s);
  EXPECT_TRUE(has(read_file(dir.file("doctor.out")), "cad link")) << read_file(dir.file("doctor.out"));
  ASSERT_EQ(cad->wait_for_exit(90s), 0) << read_file(dir.file("cad.out")) << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
}

// The tester's case: a misspelled cache.place_aliases target (SPFLD =
// SPRINGFEILD) made every CAD address written SPFLD find nothing, and nothing
// said so. The plugin says it in its log when it opens the cache.
TEST_F(EndToEnd, PlaceAliasToAPlaceNoPremiseIsInIsLoggedAtStart) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[cache]\nplace_aliases = SPFLD = SPRINGFEILD, SPR = SPRINGFIELD\n");
  ASSERT_NO_FATAL_FAILURE(expect_logged_at_start(
      config, "cache.place_aliases: SPFLD = SPRINGFEILD: no premise in the cache is in SPRINGFEILD, so every CAD "
              "address written with SPFLD finds nothing; did you mean SPRINGFIELD?"));
  for (const auto& line : read_lines(record("2A31")))
    EXPECT_FALSE(has(line, R"("cb":"log")") && has(line, "SPR =")) << "a good alias is not warned about: " << line;
}

// After an upgrade that changed the address rules, a cache read under the
// older ones misses some spellings until its next snapshot: the log says so
// at start, and the status the panel host's strip reads carries it.
TEST_F(EndToEnd, PremisesReadUnderOlderAddressRulesAreLoggedAtStart) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  {
    sql::Db raw(dir.path() + "/2A31.db", SQLITE_OPEN_READWRITE);
    raw.exec("UPDATE meta SET value = '9' WHERE key = 'address_rules'");
  }
  ASSERT_NO_FATAL_FAILURE(expect_logged_at_start(
      config, "flag cache: premises read under address rules 9, older than this build's " +
                  std::to_string(cache::kAddressRulesVersion) + ": until a snapshot re-reads them"));
  int statuses = 0;
  for (const auto& line : read_lines(record("2A31"))) {
    if (!has(line, R"("cb":"status")")) continue;
    ++statuses;
    EXPECT_TRUE(has(line, R"("cache_address_rules_current":false)")) << line;
  }
  EXPECT_EQ(statuses, 1);
}

// Found from outside: a damaged cache moved aside when the plugin opened it
// left only "flag cache open" in the log, while every call said FLAGS
// UNAVAILABLE.
TEST_F(EndToEnd, ADamagedCacheMovedAsideAtStartIsLoggedAsAnError) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  for (const char* f : {"2A31.db-wal", "2A31.db-shm"}) std::filesystem::remove(dir.file(f));
  std::string garbage(64 * 1024, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = static_cast<char>((i * 7919 + 13) % 251);
  write_file(dir.file("2A31.db"), "SQLite format 3" + std::string(1, '\0') + garbage);
  ASSERT_NO_FATAL_FAILURE(expect_logged_at_start(config, "was damaged and was moved to"));
}

// A cache that opens but cannot answer (here: no snapshot yet; from
// outside: a file damaged while open) shows FLAGS UNAVAILABLE, and the log
// now says why, not only the panel.
TEST_F(EndToEnd, LookupsACacheCannotAnswerAreLoggedWithTheReason) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  for (const char* f : {"2A31.db", "2A31.db-wal", "2A31.db-shm"}) std::filesystem::remove(dir.file(f));
  {
    auto empty = cache::Cache::open({dir.file("2A31.db"), "", true, 24});
    ASSERT_TRUE(empty.ok()) << empty.error().message;
  }
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n");
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"log")") && has(l, "flag cache could not answer (1 lookup since the last line)");
  }, 30s)) << read_file(record("2A31"));
  EXPECT_EQ(host->terminate(), 0);
  bool unavailable = false;
  std::string status;
  for (const auto& line : read_lines(record("2A31"))) {
    unavailable |= has(line, R"("cb":"show_panel","panel_id":"premise:I-2")") && has(line, "FLAGS UNAVAILABLE");
    if (has(line, R"("cb":"status")")) status = line;
  }
  EXPECT_TRUE(unavailable);
  // The status strip reads this: it said "open" while every lookup failed.
  EXPECT_TRUE(has(status, R"("cache":"failing")")) << status;
  EXPECT_TRUE(has(status, R"("cache_problem":)")) << status;
}

TEST_F(EndToEnd, LogFileAtDebugLevelCarriesNoPersonalData) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[log]\nlevel = debug\nmodules = bridge=trace\nfile = " +
                                    dir.file("plugin.log") + "\n");
  // Malformed messages whose bad values carry names and notes: an error
  // names the field, the reason and the length, never the value. (Seq 0:
  // the link does not track them, so they leave no gap behind.)
  const std::string malformed =
      std::string(R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":\"Zelda Quackenbush\",\"type\":\"dispatch\",\"seq\":0}"}})") + "\n" +
      R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":1,\"type\":\"Note Zelda Quackenbush threatens staff\",\"seq\":0}"}})" + "\n" +
      R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":1,\"type\":\"dispatch\",\"seq\":0,\"incident\":{\"id\":\"I-9\",\"narrative\":\"Quackenbush hid a knife"}})" + "\n" +
      R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":1,\"type\":\"dispatch\",\"seq\":0,\"incident\":{\"id\":\"I-9\",\"units\":[\"2A31\"],\"priority\":4242,\"location\":{\"address\":\"9 Quackenbush Lane\"}}}"}})" + "\n" +
      R"({"publish_raw":{"topic":"unit.2A31","body":"{\"v\":1,\"type\":\"dispatch\",\"seq\":0,\"incident\":{\"id\":\"I-9\",\"units\":[\"2A31\"],\"location\":{\"address\":\"9 Quackenbush Lane\",\"lat\":4242.125}}}"}})" + "\n";
  auto cad = start_cad(waits_for_units({"2A31"}) + malformed + kUnflagged + "\n" + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" + "\n");
  auto host = start_host("2A31", config, {"--auto-action", "request_coresponder"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out")) << read_file(dir.file("2A31.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "No clinician unit free now"); }, 30s));
  EXPECT_EQ(host->terminate(), 0);
  const std::string log = read_file(dir.file("plugin.log"));
  EXPECT_TRUE(has(log, "started unit 2A31 role patrol")) << log;
  // The host's stderr carries its log lines; its screen (the panels) goes to stdout.
  std::string host_stderr;
  for (const auto& line : read_lines(dir.file("2A31.out")))
    if (has(line, " log[")) host_stderr += line + "\n";
  EXPECT_TRUE(has(log, "dropped message")) << "the malformed messages were logged:\n" << log;
  for (const char* secret : {"J. Doe", "rifles", "Nonverbal", "Dr. A", "MAPLE", "maple", "ADAMS",
                             "Zelda", "Quackenbush", "threatens", "knife", "4242"}) {
    EXPECT_FALSE(has(log, secret)) << secret << " in the log file:\n" << log;
    EXPECT_FALSE(has(host_stderr, secret)) << secret << " on the host's stderr:\n" << host_stderr;
  }
}

TEST_F(EndToEnd, WeaponsCautionIsSpokenHandsFree) {
  if (std::system("command -v espeak-ng >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "espeak-ng is not installed";
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol");
  std::filesystem::create_directory(dir.file("spoken"));
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n");
  auto host = start_host("2A31", config, {"--speak-to", dir.file("spoken")});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"notify")") && has(l, "Caution: Weapons reported at this address.");
  }, 30s));
  // espeak-ng writes the WAV beside the recorded text; a second of speech
  // at 22 kHz, 16-bit, is tens of kilobytes.
  const auto wav = dir.file("spoken/spoken-1.wav");
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline &&
         !(std::filesystem::exists(wav) && std::filesystem::file_size(wav) > 20000))
    std::this_thread::sleep_for(20ms);  // another process writes it: poll its size
  ASSERT_TRUE(std::filesystem::exists(wav));
  EXPECT_GT(std::filesystem::file_size(wav), 20000u);
}

TEST(Cli, VersionNamesEveryInterfaceVersion) {
  FILE* out = popen(MDTC_CLI " version", "r");
  ASSERT_NE(out, nullptr);
  std::string text;
  char buf[256];
  while (fgets(buf, sizeof buf, out)) text += buf;
  ASSERT_EQ(pclose(out), 0);
  for (const char* line : {"mdt-coresponder 0.", "commit ", "host ABI 1", "wire protocol 1",
                           "cache schema "})
    EXPECT_TRUE(has(text, line)) << line << " missing from:\n" << text;
}

TEST_F(EndToEnd, NoCoresponderOnDutySaysSoAtOnce) {
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol");
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol, {"--auto-action", "request_coresponder"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "No clinician unit free now"); },
                            30s))
      << read_file(dir.file("2A31.out"));
}

// The clinician car's GPS reaches CAD as AVL, CAD relays it to every car, and
// the officer's request panel lists the scheduled unit with its distance; an
// auto-request rule sends the request without a tap.
TEST_F(EndToEnd, ScheduledCoresponderShowsDistanceAndAutoRequestNeedsNoTap) {
  write_file(dir.file("gps.out"), "");
  ChildProcess gps({MDTC_STUB_GPS, "--link", dir.file("gps0"), "--route", MDTC_SOURCE_DIR "/demo/route-cr7.txt",
                    "--baud", "9600", "--rate-hz", "5"},
                   dir.file("gps.out"));
  ASSERT_TRUE(wait_for_line(dir.file("gps.out"), [](auto& l) { return has(l, "ready"); }, 20s))
      << read_file(dir.file("gps.out"));
  write_file(dir.file("roster.txt"), "CR7 | Daily | 00:00-24:00 | CR-7 (Clinician)\n");
  const auto patrol = make_unit("2A31", "patrol", "2A31 Patrol",
                                "schedule_file = " + dir.file("roster.txt") +
                                    "\nauto_request = WELFARE CHECK + AUTISM\n");
  const auto clinician = make_unit("CR7", "coresponder", "CR-7 Clinician",
                                   "\n[gps]\nport = " + dir.file("gps0") + "\nbaud = 9600\n");
  auto cad = start_cad(waits_for_units({"2A31", "CR7"}) +
                       R"({"wait":"subscriber","topic":"all","timeout_s":30})" + "\n" +
                       R"({"wait":"message","type":"avl","from":"CR7","timeout_s":30})" + "\n" + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_response","from":"CR7","timeout_s":30})" + "\n");
  auto officer = start_host("2A31", patrol);  // no --auto-action: nobody taps
  auto clinic = start_host("CR7", clinician, {"--auto-action", "accept"});
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"),
                            [](auto& l) { return has(l, "Accepted by CR-7 Clinician (CR7)"); }, 30s))
      << read_file(dir.file("2A31.out"));
  const std::string seen = read_file(record("2A31"));
  EXPECT_TRUE(has(seen, "Requested automatically")) << seen;
  EXPECT_TRUE(has(seen, "ON DUTY NOW"));
  EXPECT_TRUE(has(seen, "CR-7 (Clinician)"));
  EXPECT_TRUE(has(seen, ", about ")) << "no distance and ETA for the scheduled unit:\n" << seen;
  EXPECT_EQ(officer->terminate(), 0);
  EXPECT_EQ(clinic->terminate(), 0);
}

}  // namespace
}  // namespace mdtc::test

namespace mdtc::test {
namespace {

TEST_F(EndToEnd, EveryFileThePluginWritesIsPrivateAndHoldsNoCallDataInTheClear) {
  const std::string data = dir.file("data");
  std::filesystem::create_directory(data);
  std::filesystem::permissions(data, std::filesystem::perms(0755));
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol",
                                "\n[log]\nlevel = debug\nfile = " + data + "/plugin.log\n", data);
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" +
                       "\n");
  const mode_t old_umask = ::umask(0);  // the host's umask must not matter
  auto host = start_host("2A31", config, {"--auto-action", "request_coresponder"});
  ::umask(old_umask);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "No clinician unit free now"); }, 30s));
  // Journaled after the screen: wait until the journal holds the request.
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "started unit"); }, 5s));
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto journal = plugin::IncidentJournal::open(data + "/incidents-2A31.db");
    ASSERT_TRUE(journal.ok());
    auto all = journal->all();
    if (all.ok() && !all->empty()) break;
    std::this_thread::sleep_for(10ms);  // written by another process: poll
  }
  host->kill_now();  // leaves the -wal and -shm files behind, as a power cut would

  EXPECT_EQ(std::filesystem::status(data).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(data)) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(entry.status().permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << name;
    // The cache indexes addresses to match them (its personal fields are
    // sealed); everything else must hold neither address nor care code.
    if (name.rfind("2A31.db", 0) == 0) continue;
    ++files;
    const std::string bytes = read_file(entry.path().string());
    for (const char* secret : {"MAPLE", "maple", "Maple", "AUTISM", "Autism"})
      EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in the clear in " << name;
  }
  EXPECT_GE(files, 5) << "journal, outbox, their -wal files and the log";
}

// The unit's data directory on a real 2 MiB file system that a test fills.
class FullDisk : public EndToEnd {
 protected:
  void SetUp() override {
    if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  }
  SmallDisk disk;
};

TEST_F(FullDisk, PluginStartsOnAFullDiskShowsWhatItCanAndClearsWhenSpaceReturns) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol", {}, disk.path());
  disk.fill();
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n");
  auto host = start_host("2A31", config);
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  // The premise panel from the cache, or FLAGS UNAVAILABLE: either way a panel.
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"show_panel","panel_id":"premise:I-2")");
  }, 30s)) << read_file(dir.file("2A31.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"show_panel","panel_id":"status:storage")") && has(l, "STORAGE FULL");
  }, 30s)) << read_file(dir.file("2A31.out"));
  disk.free_space();
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"close_panel","panel_id":"status:storage")");
  }, 40s)) << "writes resume by themselves";
  EXPECT_EQ(host->terminate(), 0);
  int storage_lines = 0;
  for (const auto& line : read_lines(record("2A31")))
    if (has(line, R"("cb":"log")") && has(line, "storage")) ++storage_lines;
  EXPECT_LE(storage_lines, 6) << "a refused write is logged once a minute, not every tick";
}

TEST_F(FullDisk, DiskFillingMidRunStillSendsTheRequestAndSaysItIsNotKept) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol", {}, disk.path());
  auto host = start_host("2A31", config, {"--auto-action", "request_coresponder"});
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "started unit 2A31"); }, 30s))
      << read_file(dir.file("2A31.out"));
  disk.fill();
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n" +
                       R"({"wait":"message","type":"coresponder_request","from":"2A31","timeout_s":30})" +
                       "\n");
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << "CAD never got the request: " << read_file(dir.file("cad.out"));
  EXPECT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("panel_id":"coresponder:I-2")") && has(l, "not kept if the MDT restarts");
  }, 30s)) << read_file(dir.file("2A31.out"));
  EXPECT_EQ(host->terminate(), 0);
  for (const auto& line : read_lines(record("2A31")))
    EXPECT_FALSE(has(line, "Nobody accepted in time")) << line;
}

// Found from outside: calls whose flags showed while the disk was full were
// never in the audit trail, and once space returned nothing said so. The
// record waits in memory and is written, with the time it happened, when
// space returns.
TEST_F(FullDisk, AnAuditRecordRefusedByAFullDiskIsWrittenWhenSpaceReturns) {
  const auto config = make_unit("2A31", "patrol", "2A31 Patrol", {}, disk.path());
  auto host = start_host("2A31", config);
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) { return has(l, "started unit 2A31"); }, 30s))
      << read_file(dir.file("2A31.out"));
  disk.fill();
  const int64_t before = now_unix();
  auto cad = start_cad(waits_for_units({"2A31"}) + kFlagged + "\n");
  ASSERT_EQ(cad->wait_for_exit(60s), 0) << read_file(dir.file("cad.out"));
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"show_panel","panel_id":"status:storage")") && has(l, "the audit log waits in memory");
  }, 30s)) << read_file(dir.file("2A31.out"));
  disk.free_space();
  ASSERT_TRUE(wait_for_line(record("2A31"), [](auto& l) {
    return has(l, R"("cb":"close_panel","panel_id":"status:storage")");
  }, 40s)) << "writes resume by themselves";
  EXPECT_EQ(host->terminate(), 0);
  sql::Db audit(cache::audit_log_path(disk.path() + "/2A31.db"), SQLITE_OPEN_READONLY);
  sql::Stmt q(audit, "SELECT at, flag_ids FROM audit WHERE incident = 'I-2'");
  ASSERT_TRUE(q.step()) << "the record of the flags shown while the disk was full";
  const auto at = parse_rfc3339(q.text(0));
  ASSERT_TRUE(at);
  EXPECT_GE(*at, before - 1) << "the time the flags were shown, not the time space returned";
  EXPECT_NE(q.text(1).find("F-1"), std::string::npos) << q.text(1);
  auto c = cache::Cache::open({disk.path() + "/2A31.db", "", false, 24});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->verify().ok()) << "the chain holds";
}

}  // namespace
}  // namespace mdtc::test
