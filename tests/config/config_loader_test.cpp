// The loader: layering order, environment overrides, and the exact sentence
// of every kind of error a fleet admin can meet.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "mdtc/config.h"
#include "temp_dir.h"

namespace mdtc::config {
namespace {

using test::TempDir;
using test::write_file;

// A unit's identity is required (its own tests are further down). Texts that
// test other rules get what they lack appended, so their line numbers hold.
std::string identified(std::string text) {
  if (text.find("\nid =") == std::string::npos && text.rfind("id =", 0) != 0) text += "\n[unit]\nid = T1\n";
  if (text.find("role =") == std::string::npos) text += "\n[unit]\nrole = patrol\n";
  return text;
}

// The same through the environment layer, for tests of files.
std::map<std::string, std::string> identity_env(std::map<std::string, std::string> env = {}) {
  env.emplace("MDTC_UNIT_ID", "T1");
  env.emplace("MDTC_UNIT_ROLE", "patrol");
  return env;
}

std::vector<std::string> messages(const Report& report) {
  std::vector<std::string> out;
  for (const auto& p : report.problems) out.push_back(p.message);
  return out;
}

TEST(ConfigLoader, IdentityAloneGivesBuiltInDefaultsElsewhere) {
  auto config = load_text("[unit]\nid = 2A31\nrole = patrol\n", "unit.ini");
  ASSERT_TRUE(config.ok()) << config.error().message;
  Config expected;
  expected.unit_id = "2A31";
  EXPECT_EQ(*config, expected);
  EXPECT_EQ(config->gps_baud, "auto");
  EXPECT_EQ(config->cad_heartbeat_timeout_s, 15);
}

TEST(ConfigLoader, ReadsEveryKindOfValue) {
  auto config = load_text(identified(
      "; fleet defaults\n"
      "[unit]\n"
      "id = CR-7\n"
      "role = coresponder\n"
      "name = \"  CR-7 (Clinician)  \"\n"
      "[cad]\n"
      "subscribe_endpoint = tcp://cad.springfield.example:6556\n"
      "dealer_endpoint = ipc:///run/mdt/cad.sock\n"
      "heartbeat_timeout_s = 30\n"
      "[cache]\n"
      "nearby_radius_m = 75.5\n"
      "wipe_on_session_end = yes\n"
      "history_lookback_days = 0\n"
      "[gps]\n"
      "port = /dev/ttyUSB0\n"
      "baud = 4800\n"
      "[coresponder]\n"
      "fallback = Call 555-0142 # ext 3\n"
      "[log]\n"
      "level = debug\n"),
      "fleet.ini");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->unit_id, "CR-7");
  EXPECT_EQ(config->role, Role::coresponder);
  EXPECT_EQ(config->unit_name, "  CR-7 (Clinician)  ");
  EXPECT_EQ(config->cad_subscribe_endpoint, "tcp://cad.springfield.example:6556");
  EXPECT_EQ(config->cad_dealer_endpoint, "ipc:///run/mdt/cad.sock");
  EXPECT_EQ(config->cad_heartbeat_timeout_s, 30);
  EXPECT_DOUBLE_EQ(config->cache_nearby_radius_m, 75.5);
  EXPECT_TRUE(config->cache_wipe_on_session_end);
  EXPECT_EQ(config->cache_history_lookback_days, 0);
  EXPECT_EQ(config->gps_port, "/dev/ttyUSB0");
  EXPECT_EQ(config->gps_baud, "4800");
  EXPECT_EQ(config->coresponder_fallback, "Call 555-0142 # ext 3");
  EXPECT_EQ(config->log_level, "debug");
}

TEST(ConfigLoader, LaterFilesOverrideEarlierOnesKeyByKey) {
  TempDir dir;
  write_file(dir.file("fleet.ini"),
             "[unit]\nid = FLEET\n[gps]\nbaud = 9600\nstale_after_s = 20\n");
  write_file(dir.file("unit.ini"), "[unit]\nid = 2A31\nrole = patrol\n[gps]\nbaud = 4800\n");
  auto config = load({dir.file("fleet.ini"), dir.file("unit.ini")});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->unit_id, "2A31");
  EXPECT_EQ(config->gps_baud, "4800");
  EXPECT_EQ(config->gps_stale_after_s, 20);  // only the fleet file set it
  EXPECT_EQ(config->cad_heartbeat_timeout_s, 15);  // nobody set it
}

TEST(ConfigLoader, EnvironmentOverridesEveryFile) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[cad]\nheartbeat_timeout_s = 20\n[gps]\nbaud = 9600\n");
  write_file(dir.file("unit.ini"), "[cad]\nheartbeat_timeout_s = 25\n");
  auto config = load({dir.file("fleet.ini"), dir.file("unit.ini")},
                     identity_env({{"MDTC_CAD_HEARTBEAT_TIMEOUT_S", "40"}, {"MDTC_UNIT_ROLE", " coresponder "}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->cad_heartbeat_timeout_s, 40);
  EXPECT_EQ(config->role, Role::coresponder);
  EXPECT_EQ(config->gps_baud, "9600");
}

TEST(ConfigLoader, EnvironmentSetsServerPublicKey) {
  const std::string key = "Example.Springfield.Gateway.Key.NotReal0";
  auto config = load({}, identity_env({{"MDTC_CAD_SERVER_PUBLIC_KEY", key},
                                       {"MDTC_CAD_CLIENT_KEY_FILE", "/etc/mdt-coresponder/client.key"}}));
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->cad_server_public_key, key);
}

TEST(ConfigLoader, EnvironmentVariablesOfOtherSectionsAreIgnored) {
  auto config = load({}, identity_env({{"MDTC_SOURCE_DIR", "/src"}, {"HOME", "/root"}, {"MDTC_X", "1"}}));
  EXPECT_TRUE(config.ok()) << config.error().message;
}

TEST(ConfigLoader, BadEnvironmentValueNamesTheVariable) {
  auto report = check({}, identity_env({{"MDTC_GPS_BAUD", "9601"}}));
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config environment MDTC_GPS_BAUD: gps.baud = 9601: expected one of "
                                     "4800, 9600, 19200, 38400, 57600, 115200 or auto"});
}

TEST(ConfigLoader, MistypedEnvironmentVariableIsAnErrorWithSuggestion) {
  auto report = check({}, identity_env({{"MDTC_CAD_HEARBEAT_TIMEOUT_S", "30"}}));
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config environment MDTC_CAD_HEARBEAT_TIMEOUT_S: unknown setting "
                                  "(did you mean MDTC_CAD_HEARTBEAT_TIMEOUT_S?)"});
}

// A typo in the section part was ignored: the car ran on the default.
TEST(ConfigLoader, MistypedSectionInAnEnvironmentVariableIsAnErrorWithSuggestion) {
  auto report = check({}, identity_env({{"MDTC_CAHCE_DB", "/var/lib/x/cache.db"}}));
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config environment MDTC_CAHCE_DB: unknown setting (did you mean MDTC_CACHE_DB?)"});
}

TEST(ConfigLoader, BadBaudNamesFileLineKeyValueAndWhatWasExpected) {
  auto config = load_text(identified("[unit]\nid = 2A31\n\n[gps]\nbaud = 9601\n"), "/etc/mdt-coresponder/unit.ini");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.bad_value");
  EXPECT_EQ(config.error().message,
            "config /etc/mdt-coresponder/unit.ini:5: gps.baud = 9601: expected one of 4800, 9600, "
            "19200, 38400, 57600, 115200 or auto");
}

TEST(ConfigLoader, PlaceAliasesBecomePairs) {
  auto config = load_text("[unit]\nid = A1\nrole = patrol\n[cache]\nplace_aliases = SPFLD = Springfield; E STL = East St. Louis,\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(config->cache_place_alias_pairs, (Pairs{{"SPFLD", "Springfield"}, {"E STL", "East St. Louis"}}));
  EXPECT_TRUE(load_text("[unit]\nid = A1\nrole = patrol\n[cache]\nplace_aliases =\n")->cache_place_alias_pairs.empty());
}

TEST(ConfigLoader, PlaceAliasWithoutPlaceIsRejected) {
  for (const char* bad : {"SPFLD", "SPFLD =", "SPFLD = ; = SPRINGFIELD", "A = B = C", "SPFLD = SPRING*FIELD", "12 = 34"}) {
    auto config = load_text(std::string("[unit]\nid = A1\nrole = patrol\n[cache]\nplace_aliases = ") + bad + "\n");
    ASSERT_FALSE(config.ok()) << bad;
    EXPECT_EQ(config.error().code, "config.bad_value") << bad;
  }
}

TEST(ConfigLoader, IncidentMaxAgeDefaultsToTwelveHoursAndIsBounded) {
  auto defaults = load_text(identified(""), "empty.ini");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->cad_incident_max_age_h, 12);
  auto set = load_text(identified("[cad]\nincident_max_age_h = 4\n"), "unit.ini");
  ASSERT_TRUE(set.ok()) << set.error().message;
  EXPECT_EQ(set->cad_incident_max_age_h, 4);
  auto zero = load_text(identified("[cad]\nincident_max_age_h = 0\n"), "unit.ini");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, "config.bad_value");
  EXPECT_NE(zero.error().message.find("cad.incident_max_age_h = 0"), std::string::npos) << zero.error().message;
}

TEST(ConfigLoader, UnknownKeySuggestsTheNearestKnownKey) {
  auto report = check_text(identified("[unit]\nid = A1\n\n\n\n[cad]\nhearbeat_timeout_s = 30\n"), "fleet.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.unknown_key");
  EXPECT_EQ(report.problems[0].line, 7);
  EXPECT_EQ(report.problems[0].key, "cad.hearbeat_timeout_s");
  EXPECT_EQ(report.problems[0].message,
            "config fleet.ini:7: cad.hearbeat_timeout_s: unknown key (did you mean cad.heartbeat_timeout_s?)");
}

TEST(ConfigLoader, KeyInTheWrongSectionSuggestsWhereItBelongs) {
  auto report = check_text(identified("[cad]\ndb = /tmp/x.db\n"), "fleet.ini");
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config fleet.ini:2: cad.db: unknown key (did you mean cache.db?)"});
}

TEST(ConfigLoader, UnknownKeyWithoutNearMatchListsTheSectionKeys) {
  auto report = check_text(identified("[gps]\nsatellites = 12\n"), "fleet.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{"config fleet.ini:2: gps.satellites: unknown key "
                                                       "(known keys in [gps]: port, baud, stale_after_s)"});
}

TEST(ConfigLoader, UnknownSectionSuggestsAndSkipsItsKeys) {
  auto report = check_text(identified("[gsp]\nbaud = 4800\nport = auto\n"), "fleet.ini");
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config fleet.ini:1: [gsp]: unknown section (did you mean [gps]?)"});
}

TEST(ConfigLoader, CollectsEveryErrorNotOnlyTheFirst) {
  auto report = check_text(identified(
      "[unit]\n"
      "id = unit with spaces\n"
      "role = sergeant\n"
      "[cad]\n"
      "heartbeat_timeout_s = 0\n"
      "subscribe_endpoint = http://cad:80\n"
      "server_public_key = tooshort\n"
      "[cache]\n"
      "nearby_radius_m = 5001\n"
      "max_age_h = 24h\n"
      "wipe_on_session_end = maybe\n"
      "[gps]\n"
      "port = ttyUSB0\n"
      "[log]\n"
      "level = verbose\n"),
      "unit.ini");
  EXPECT_EQ(messages(report),
            (std::vector<std::string>{
                "config unit.ini:2: unit.id = unit with spaces: expected 1 to 32 letters, digits, '-' or '_'",
                "config unit.ini:3: unit.role = sergeant: expected patrol or coresponder",
                "config unit.ini:5: cad.heartbeat_timeout_s = 0: expected a whole number from 1 to 3600",
                "config unit.ini:6: cad.subscribe_endpoint = http://cad:80: expected tcp://HOST:PORT "
                "(port 1 to 65535) or ipc://PATH",
                "config unit.ini:7: cad.server_public_key = tooshort: expected a 40-character Z85 key "
                "(as `mdt-coresponder keys generate` prints) or empty",
                "config unit.ini:9: cache.nearby_radius_m = 5001: expected a number from 1 to 5000",
                "config unit.ini:10: cache.max_age_h = 24h: expected a whole number from 1 to 8760",
                "config unit.ini:11: cache.wipe_on_session_end = maybe: expected true or false",
                "config unit.ini:13: gps.port = ttyUSB0: expected empty (no GPS), auto, a device path "
                "such as /dev/ttyUSB0, tcp://HOST:PORT or udp://[ADDR]:PORT",
                "config unit.ini:15: log.level = verbose: expected one of none, fatal, critical, error, "
                "warning, notice, information, debug or trace",
            }));
  for (const auto& p : report.problems) EXPECT_EQ(p.code, "config.bad_value");
  auto config = load_text(identified("[unit]\nrole = sergeant\n[gps]\nbaud = 1\n"), "u.ini");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "config u.ini:2: unit.role = sergeant: expected patrol or coresponder\n"
            "config u.ini:4: gps.baud = 1: expected one of 4800, 9600, 19200, 38400, 57600, 115200 or auto");
}

TEST(ConfigLoader, MixedErrorKindsAreReportedAsInvalid) {
  auto config = load_text(identified("[gps]\nbaud = 1\n[foo]\n"), "u.ini");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.invalid");
}

TEST(ConfigLoader, RangesAreInclusiveAtBothEnds) {
  EXPECT_TRUE(load_text(identified("[cache]\nnearby_radius_m = 1\n")).ok());
  EXPECT_TRUE(load_text(identified("[cache]\nnearby_radius_m = 5000\n")).ok());
  EXPECT_FALSE(load_text(identified("[cache]\nnearby_radius_m = 0.5\n")).ok());
  EXPECT_TRUE(load_text(identified("[cache]\nmax_text_geo_gap_m = 0\n")).ok());  // 0 turns the cross-check off
  EXPECT_FALSE(load_text(identified("[cache]\nmax_text_geo_gap_m = -1\n")).ok());
  EXPECT_FALSE(load_text(identified("[cache]\nmax_text_geo_gap_m = nan\n")).ok());
  EXPECT_FALSE(load_text(identified("[cache]\nnearby_radius_m = nan\n")).ok());
  EXPECT_FALSE(load_text(identified("[cache]\nnearby_radius_m = inf\n")).ok());
  EXPECT_FALSE(load_text(identified("[cad]\nheartbeat_timeout_s = -5\n")).ok());
  EXPECT_FALSE(load_text(identified("[cad]\nheartbeat_timeout_s = 99999999999999999999\n")).ok());
  EXPECT_FALSE(load_text(identified("[coresponder]\naccept_timeout_s = 0\n")).ok());
  EXPECT_FALSE(load_text(identified("[gps]\nstale_after_s = 0\n")).ok());
}

TEST(ConfigLoader, EndpointsMustLookLikeTcpHostPortOrIpc) {
  for (const char* good : {"tcp://127.0.0.1:5556", "tcp://cad-gw.springfield.example:1", "tcp://[::1]:65535",
                           "ipc:///run/cad.sock"}) {
    EXPECT_TRUE(load_text(identified(std::string("[cad]\nsubscribe_endpoint = ") + good + "\n")).ok()) << good;
  }
  for (const char* bad : {"tcp://127.0.0.1", "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536", "tcp://:5556",
                          "tcp://host:55a6", "ipc://", "udp://1.2.3.4:5", "tcp://*:5556", ""}) {
    EXPECT_FALSE(load_text(identified(std::string("[cad]\nsubscribe_endpoint = ") + bad + "\n")).ok()) << bad;
  }
}

TEST(ConfigLoader, FallbackLinksAreUrisTheMdtCanOpen) {
  for (const char* good : {"https://telehealth.example.org/crisis", "tel:988", "tel:+1-555-0199;ext=3",
                           "sip:crisis@pbx.example.org", "sips:desk@pbx.example.org", ""}) {
    auto c = load_text(identified(std::string("[coresponder]\ntelehealth_uri = ") + good + "\n"));
    ASSERT_TRUE(c.ok()) << good;
    EXPECT_EQ(c->coresponder_telehealth_uri, good);
  }
  for (const char* bad : {"http://telehealth.example.org", "https://", "tel:", "tel:nine-eight-eight",
                          "sip:pbx.example.org", "mailto:crisis@example.org", "javascript:alert(1)",
                          "https://example.org/a b"}) {
    EXPECT_FALSE(load_text(identified(std::string("[coresponder]\ncrisis_line_uri = ") + bad + "\n")).ok())
        << bad;
  }
  EXPECT_EQ(load_text(identified(""))->coresponder_crisis_line_uri, "tel:988");
  EXPECT_EQ(load_text(identified(""))->coresponder_state_stale_s, 900);
  EXPECT_FALSE(load_text(identified("[coresponder]\nstate_stale_s = 29\n")).ok());
}

// Found from outside: with the fallback, telehealth and crisis line all
// emptied, `config check` said ok and the officer's panel said "use one of
// these" over nothing. The fallback is the one step every panel can offer.
TEST(ConfigLoader, TheFallbackTextMayNotBeEmpty) {
  auto report = check_text(identified("[coresponder]\nfallback =\n"), "f.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{"config f.ini:2: coresponder.fallback = (empty): expected text "
                                                       "of 1 to 200 bytes without control characters: it may not "
                                                       "be empty"});
  EXPECT_EQ(load_text(identified("[coresponder]\nfallback = Ask dispatch for the crisis team\n"))->coresponder_fallback,
            "Ask dispatch for the crisis team");
  EXPECT_FALSE(load_text(identified("[coresponder]\nfallback = " + std::string(201, 'x') + "\n")).ok());
}

TEST(ConfigLoader, UnitIdAllowsOnlyLettersDigitsDashUnderscoreUpTo32) {
  EXPECT_TRUE(load_text(identified("[unit]\nid = " + std::string(32, 'A') + "\n")).ok());
  EXPECT_FALSE(load_text(identified("[unit]\nid = " + std::string(33, 'A') + "\n")).ok());
  EXPECT_FALSE(load_text(identified("[unit]\nid =\n")).ok());
  EXPECT_FALSE(load_text(identified("[unit]\nid = 2A.31\n")).ok());
}

TEST(ConfigLoader, Z85KeyMustBeFortyCharactersOfTheAlphabet) {
  const std::string good = "Example.Springfield.Gateway.Key.NotReal0";
  std::string withClientKey = "\nclient_key_file = /etc/k\n";
  EXPECT_TRUE(load_text(identified("[cad]\nserver_public_key = " + good + withClientKey)).ok());
  EXPECT_FALSE(load_text(identified("[cad]\nserver_public_key = " + good + "A" + withClientKey)).ok());
  std::string bad = good;
  bad[3] = '~';  // not in the Z85 alphabet
  EXPECT_FALSE(load_text(identified("[cad]\nserver_public_key = " + bad + withClientKey)).ok());
}

TEST(ConfigLoader, ServerKeyWithoutClientKeyFileIsAConflict) {
  auto report = check_text(identified("[cad]\nserver_public_key = Example.Springfield.Gateway.Key.NotReal0\n"), "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.conflict");
  EXPECT_EQ(report.problems[0].message,
            "config f.ini:2: cad.server_public_key is set but cad.client_key_file is empty: expected both "
            "(CURVE needs this unit's key pair)");
}

TEST(ConfigLoader, SameEndpointForSubscribeAndDealerIsAConflict) {
  auto report = check_text(identified("[cad]\ndealer_endpoint = tcp://127.0.0.1:5556\n"), "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].line, 2);
  EXPECT_EQ(report.problems[0].code, "config.conflict");
}

// Found by fuzz_config: the clash was reported against the key left at its
// default, with no file or line ("config : cad.dealer_endpoint = ...").
TEST(ConfigLoader, EndpointClashIsReportedWhereTheClashingValueWasSet) {
  auto report = check_text(identified("[cad]\nsubscribe_endpoint = tcp://127.0.0.1:5557\n"), "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].key, "cad.subscribe_endpoint");
  EXPECT_EQ(report.problems[0].message,
            "config f.ini:2: cad.subscribe_endpoint = tcp://127.0.0.1:5557: same as cad.dealer_endpoint: "
            "expected the gateway's PUB endpoint, which differs from its ROUTER endpoint");
}

TEST(ConfigLoader, OutboxInTheCacheFileIsAConflict) {
  auto report = check_text(identified("[cache]\ndb = /var/x.db\n[coresponder]\noutbox_db = /var/x.db\n"), "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].message,
            "config f.ini:4: coresponder.outbox_db = /var/x.db: same file as cache.db: expected a separate file");
}

TEST(ConfigLoader, MissingFileIsNamed) {
  TempDir dir;
  auto config = load({dir.file("nope.ini")}, identity_env());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.missing_file");
  EXPECT_EQ(config.error().message, "config " + dir.file("nope.ini") +
                                        ": cannot read: No such file or directory (expected a readable INI file)");
}

TEST(ConfigLoader, DirectoryInsteadOfFileIsNamed) {
  TempDir dir;
  auto report = check({dir.path()}, identity_env());
  EXPECT_EQ(messages(report), std::vector<std::string>{"config " + dir.path() +
                                                       ": cannot read: is a directory (expected a readable INI file)"});
}

TEST(ConfigLoader, ProblemsInSeveralFilesAreAllReported) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 1\n");
  write_file(dir.file("unit.ini"), "[unit]\nid = bad id\n");
  auto report = check({dir.file("fleet.ini"), dir.file("missing.ini"), dir.file("unit.ini")}, identity_env());
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_EQ(report.problems[0].origin, dir.file("fleet.ini"));
  EXPECT_EQ(report.problems[1].code, "config.missing_file");
  EXPECT_EQ(report.problems[2].origin, dir.file("unit.ini"));
}

TEST(ConfigLoader, OversizedFileIsRefused) {
  TempDir dir;
  write_file(dir.file("big.ini"), "; " + std::string(1024 * 1024 + 10, 'x') + "\n");
  auto report = check({dir.file("big.ini")}, identity_env());
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.too_large");
}

TEST(ConfigLoader, SyntaxErrorsNameTheLine) {
  auto report = check_text(identified("[unit]\nid 2A31\n[gps\nbaud = \"4800\n"), "s.ini");
  EXPECT_EQ(messages(report),
            (std::vector<std::string>{
                "config s.ini:2: \"id 2A31\": expected key = value or a [section] header",
                "config s.ini:3: \"[gps\": expected a section header such as [gps]",
                "config s.ini:4: baud = \"4800: expected a closing double quote",
            }));
}

TEST(ConfigLoader, KeyBeforeAnySectionIsAnError) {
  auto report = check_text("id = 2A31\n[unit]\nid = 2A31\nrole = patrol\n", "s.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config s.ini:1: id: key outside any section: expected a [section] header first"});
}

TEST(ConfigLoader, KeySetTwiceInOneFileIsAnError) {
  auto report = check_text(identified("[gps]\nbaud = 4800\n[gps]\nbaud = 9600\n"), "d.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{"config d.ini:4: gps.baud: set twice in this file "
                                                       "(first on line 2): expected each key once"});
}

TEST(ConfigLoader, ControlCharactersAreEscapedInMessages) {
  auto report = check_text(identified(std::string("[unit]\nname = a\x01" "b\n", 17)), "c.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config c.ini:2: line contains a control character (\"name = a\\x01b\"): "
                                  "expected printable text"});
}

TEST(ConfigLoader, CrLfLineEndingsAndByteOrderMarkAreAccepted) {
  auto config = load_text(identified("\xEF\xBB\xBF[gps]\r\nbaud = 4800\r\n"), "w.ini");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->gps_baud, "4800");
}

TEST(ConfigLoader, EmptyValueIsShownAsEmpty) {
  auto report = check_text(identified("[cache]\ndb =\n"), "e.ini");
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config e.ini:2: cache.db = (empty): expected a file path"});
}

TEST(ConfigLoader, ToIniReadsBackEqual) {
  Config c;
  c.unit_id = "CR-7";
  c.role = Role::coresponder;
  c.unit_name = " padded name ";
  c.cache_nearby_radius_m = 12.25;
  c.cache_wipe_on_session_end = true;
  c.coresponder_fallback = "\"quoted\" line 555-0199";
  c.gps_port = "/dev/ttyACM0";
  c.log_file = "/var/log/x ; not a comment";
  auto back = load_text(to_ini(c), "printed.ini");
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << to_ini(c);
  EXPECT_EQ(*back, c);
  EXPECT_TRUE(check_text(to_ini(c)).warnings.empty()) << "printed values are quoted where they would warn";
  Config identified_defaults;
  identified_defaults.unit_id = "T1";
  EXPECT_EQ(*load_text(to_ini(identified_defaults)), identified_defaults);
}

TEST(ConfigLoader, KnownKeysCarryTheStructDefaultsAndEnvironmentNames) {
  const auto& keys = known_keys();
  ASSERT_EQ(keys.size(), 46u);
  auto find = [&](const std::string& s, const std::string& k) {
    for (const auto& info : keys) {
      if (info.section == s && info.key == k) return info;
    }
    return KeyInfo{};
  };
  EXPECT_EQ(find("cad", "heartbeat_timeout_s").default_value, "15");
  EXPECT_EQ(find("cache", "nearby_radius_m").default_value, "50");
  EXPECT_EQ(find("panel", "lock_speed_kmh").default_value, "24");
  EXPECT_EQ(find("panel", "unlock_after_s").default_value, "10");
  EXPECT_EQ(find("panel", "voice").default_value, "en-us");
  EXPECT_EQ(find("cache", "max_text_geo_gap_m").default_value, "300");
  EXPECT_EQ(find("cache", "wipe_on_session_end").default_value, "false");
  EXPECT_EQ(find("unit", "role").default_value, "");  // identity has no default
  EXPECT_EQ(find("cad", "server_public_key").env_name(), "MDTC_CAD_SERVER_PUBLIC_KEY");
}

TEST(ConfigLoader, EnvironmentOverridesReadsOnlyMdtcVariables) {
  ::setenv("MDTC_GPS_BAUD", "19200", 1);
  ::setenv("NOT_MDTC_GPS_BAUD", "1", 1);
  auto env = environment_overrides();
  ::unsetenv("MDTC_GPS_BAUD");
  ::unsetenv("NOT_MDTC_GPS_BAUD");
  EXPECT_EQ(env.at("MDTC_GPS_BAUD"), "19200");
  EXPECT_EQ(env.count("NOT_MDTC_GPS_BAUD"), 0u);
}

TEST(ConfigLoader, RoleNames) {
  EXPECT_STREQ(to_string(Role::patrol), "patrol");
  EXPECT_STREQ(to_string(Role::coresponder), "coresponder");
}

// ------------------------------------------------------------ identity

TEST(ConfigLoader, MissingUnitIdAndRoleAreRefusedNamingTheFilesAndKeys) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 4800\n");
  write_file(dir.file("unit.ini"), "[unit]\nname = Somebody's car\n");
  auto report = check({dir.file("fleet.ini"), dir.file("unit.ini")});
  const std::string where = dir.file("fleet.ini") + " + " + dir.file("unit.ini");
  EXPECT_EQ(messages(report),
            (std::vector<std::string>{
                "config " + where + ": unit.id is not set: expected 1 to 32 letters, digits, '-' or '_' "
                "(a unit's identity has no default; set it in the unit's own file)",
                "config " + where + ": unit.role is not set: expected patrol or coresponder "
                "(a unit's identity has no default; set it in the unit's own file)"}));
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].code, "config.missing_key");
  EXPECT_EQ(report.problems[0].key, "unit.id");
  EXPECT_EQ(report.problems[1].key, "unit.role");
  EXPECT_FALSE(load({dir.file("fleet.ini"), dir.file("unit.ini")}).ok());
}

TEST(ConfigLoader, IdentityMayComeFromAnyLayerIncludingTheEnvironment) {
  auto config = load({}, {{"MDTC_UNIT_ID", "4B12"}, {"MDTC_UNIT_ROLE", "patrol"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->unit_id, "4B12");
}

TEST(ConfigLoader, ABadUnitIdIsReportedOnceNotAlsoAsMissing) {
  auto report = check_text("[unit]\nid = 2A 31\nrole = patrol\n", "u.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config u.ini:2: unit.id = 2A 31: expected 1 to 32 letters, digits, '-' or '_'"});
}

TEST(ConfigLoader, IdentityHasNoDefaultInTheKeyListOrTheDefaultsFile) {
  for (const auto& k : known_keys()) {
    const bool identity = k.section == "unit" && (k.key == "id" || k.key == "role");
    EXPECT_EQ(k.required, identity) << k.section << "." << k.key;
    if (identity) {
      EXPECT_EQ(k.default_value, "") << k.key;
    }
  }
  EXPECT_EQ(Config{}.unit_id, "");
  const std::string defaults = defaults_ini();
  EXPECT_NE(defaults.find("[unit]\n; id = (required, no default:"), std::string::npos) << defaults;
  EXPECT_NE(defaults.find("; role = (required, no default:"), std::string::npos) << defaults;
  // Filled in, the defaults file is a valid configuration.
  auto filled = load_text(defaults + "[unit]\nid = 2A31\nrole = patrol\n", "defaults.ini");
  ASSERT_TRUE(filled.ok()) << filled.error().message;
}

// -------------------------------------------------------------- secrets

TEST(ConfigLoader, KeyFilesReadableByOthersAreRefused) {
  TempDir dir;
  write_file(dir.file("client.key"), "public=x\n");
  write_file(dir.file("cache.db.key"), "k");
  ::chmod(dir.file("client.key").c_str(), 0644);
  ::chmod(dir.file("cache.db.key").c_str(), 0640);
  const std::string text = "[unit]\nid = 2A31\nrole = patrol\n[cad]\nserver_public_key = "
                           "Example.Springfield.Gateway.Key.NotReal0\nclient_key_file = " +
                           dir.file("client.key") + "\n[cache]\ndb = " + dir.file("cache.db") + "\n";
  auto report = check_text(text, "unit.ini");
  EXPECT_EQ(messages(report),
            (std::vector<std::string>{
                "config unit.ini:6: cad.client_key_file: key file " + dir.file("client.key") +
                    " has mode 0644: group or others can read the secret: expected 0600 (owner only); fix: chmod 600 " +
                    dir.file("client.key"),
                "config unit.ini:8: cache.db: key file " + dir.file("cache.db.key") +
                    " has mode 0640: group or others can read the secret: expected 0600 (owner only); fix: chmod 600 " +
                    dir.file("cache.db.key")}));
  EXPECT_EQ(report.problems[0].code, "config.secret_exposed");

  ::chmod(dir.file("client.key").c_str(), 0600);
  ::chmod(dir.file("cache.db.key").c_str(), 0400);
  EXPECT_TRUE(check_text(text, "unit.ini").ok());
}

TEST(ConfigLoader, AKeyFileNotThereYetIsNotAConfigProblem) {
  TempDir dir;
  auto report = check_text("[unit]\nid = 2A31\nrole = patrol\n[cache]\nkey_file = " + dir.file("none.key") + "\n",
                           "unit.ini");
  EXPECT_TRUE(report.ok()) << messages(report)[0];
}

// ------------------------------------------------- order and inline comments

TEST(ConfigLoader, ProblemsOfOneFileAreReportedInLineOrder) {
  auto report = check_text(
      "[unit]\nid = 2A31\nrole = patrol\n[cad]\nhearbeat_timeout_s = 3\nthis is not ini\n[gps]\nbaud = 1\n"
      "baud = 2\n",
      "f.ini");
  std::vector<int> lines;
  for (const auto& p : report.problems) lines.push_back(p.line);
  EXPECT_EQ(lines, (std::vector<int>{5, 6, 8, 9}));
}

TEST(ConfigLoader, ConflictsFoundAfterReadingGoWhereTheyWereWritten) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[unit]\nid = 2A31\nrole = patrol\n[cad]\nserver_public_key = "
                                    "Example.Springfield.Gateway.Key.NotReal0\n[gps]\nbaud = 1\n");
  write_file(dir.file("unit.ini"), "[gps]\nport = nowhere\n");
  auto report = check({dir.file("fleet.ini"), dir.file("unit.ini")});
  std::vector<std::string> where;
  for (const auto& p : report.problems) where.push_back(p.origin + ":" + std::to_string(p.line) + " " + p.key);
  EXPECT_EQ(where, (std::vector<std::string>{dir.file("fleet.ini") + ":5 cad.server_public_key",
                                             dir.file("fleet.ini") + ":7 gps.baud",
                                             dir.file("unit.ini") + ":2 gps.port"}));
}

// unit.id in the fleet file would be every car's: config check says so.
TEST(ConfigLoader, IdentityInTheFleetFileIsAWarning) {
  test::TempDir dir;
  test::write_file(dir.file("fleet.ini"), "[unit]\nid = 2A31\nrole = patrol\n");
  test::write_file(dir.file("unit.ini"), "[unit]\nname = Car\n");
  auto report = check({dir.file("fleet.ini"), dir.file("unit.ini")}, {});
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.warnings.size(), 2u);
  EXPECT_EQ(report.warnings[0].code, "config.identity_in_shared_file");
  EXPECT_EQ(report.warnings[0].key, "unit.id");
  EXPECT_EQ(report.warnings[0].line, 2);
  EXPECT_NE(report.warnings[0].message.find("every car reading it gets this unit.id"), std::string::npos)
      << report.warnings[0].message;
  // Set in the unit's own file (last), or in one file only: no warning.
  test::write_file(dir.file("unit.ini"), "[unit]\nid = 2A32\nrole = patrol\n");
  EXPECT_TRUE(check({dir.file("fleet.ini"), dir.file("unit.ini")}, {}).warnings.empty());
  EXPECT_TRUE(check({dir.file("fleet.ini")}, {}).warnings.empty());
}

TEST(ConfigLoader, InlineCommentAfterAValueIsAWarningNamingFileAndLine) {
  auto report = check_text(
      "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = /var/lib/x/cache.db ; default\n"
      "[coresponder]\nfallback = Call 555-0142 # ext 3\n[unit]\nname = \"Car ; quoted is meant\"\n",
      "fleet.ini");
  EXPECT_TRUE(report.ok());
  ASSERT_EQ(report.warnings.size(), 2u);
  EXPECT_EQ(report.warnings[0].code, "config.inline_comment");
  EXPECT_EQ(report.warnings[0].line, 5);
  EXPECT_EQ(report.warnings[0].message,
            "config fleet.ini:5: cache.db = /var/lib/x/cache.db ; default: ';' after a value is not a comment, "
            "it is part of the value: put a comment on its own line, or wrap the value in double quotes if the "
            "text is meant");
  EXPECT_EQ(report.warnings[1].line, 7);
  EXPECT_EQ(report.config.cache_db, "/var/lib/x/cache.db ; default");
}

TEST(ConfigLoader, EveryBadScheduleLineIsReported) {
  TempDir dir;
  write_file(dir.file("roster.txt"),
             "CR-7 | Mon-Fri | 08:00-20:00\nCR-9 | Someday | 08:00-20:00\nCR-11 | Daily | 8-20\n");
  auto report = check_text("[unit]\nid = 2A31\nrole = patrol\n[coresponder]\nschedule_file = " +
                           dir.file("roster.txt") + "\n", "f.ini");
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_EQ(report.problems[0].line, 2);
  EXPECT_EQ(report.problems[1].line, 3);
  EXPECT_EQ(report.problems[1].origin, dir.file("roster.txt"));
  EXPECT_EQ(report.problems[1].message.rfind("config " + dir.file("roster.txt") + ":3: hours \"8-20\"", 0), 0u);
}

}  // namespace
}  // namespace mdtc::config
