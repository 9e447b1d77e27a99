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

std::vector<std::string> messages(const Report& report) {
  std::vector<std::string> out;
  for (const auto& p : report.problems) out.push_back(p.message);
  return out;
}

TEST(ConfigLoader, EmptyTextGivesBuiltInDefaults) {
  auto config = load_text("", "empty.ini");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(*config, Config{});
  EXPECT_EQ(config->unit_id, "2A31");
  EXPECT_EQ(config->gps_baud, "auto");
  EXPECT_EQ(config->cad_heartbeat_timeout_s, 15);
}

TEST(ConfigLoader, ReadsEveryKindOfValue) {
  auto config = load_text(
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
      "level = debug\n",
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
  write_file(dir.file("unit.ini"), "[unit]\nid = 2A31\n[gps]\nbaud = 4800\n");
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
                     {{"MDTC_CAD_HEARTBEAT_TIMEOUT_S", "40"}, {"MDTC_UNIT_ROLE", " coresponder "}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->cad_heartbeat_timeout_s, 40);
  EXPECT_EQ(config->role, Role::coresponder);
  EXPECT_EQ(config->gps_baud, "9600");
}

TEST(ConfigLoader, EnvironmentSetsServerPublicKey) {
  const std::string key = "Example.Springfield.Gateway.Key.NotReal0";
  auto config = load({}, {{"MDTC_CAD_SERVER_PUBLIC_KEY", key},
                          {"MDTC_CAD_CLIENT_KEY_FILE", "/etc/mdt-coresponder/client.key"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->cad_server_public_key, key);
}

TEST(ConfigLoader, EnvironmentVariablesOfOtherSectionsAreIgnored) {
  auto config = load({}, {{"MDTC_SOURCE_DIR", "/src"}, {"HOME", "/root"}, {"MDTC_X", "1"}});
  EXPECT_TRUE(config.ok()) << config.error().message;
}

TEST(ConfigLoader, BadEnvironmentValueNamesTheVariable) {
  auto report = check({}, {{"MDTC_GPS_BAUD", "9601"}});
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config environment MDTC_GPS_BAUD: gps.baud = 9601: expected one of "
                                     "4800, 9600, 19200, 38400, 57600, 115200 or auto"});
}

TEST(ConfigLoader, MistypedEnvironmentVariableIsAnErrorWithSuggestion) {
  auto report = check({}, {{"MDTC_CAD_HEARBEAT_TIMEOUT_S", "30"}});
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config environment MDTC_CAD_HEARBEAT_TIMEOUT_S: unknown setting "
                                  "(did you mean MDTC_CAD_HEARTBEAT_TIMEOUT_S?)"});
}

TEST(ConfigLoader, BadBaudNamesFileLineKeyValueAndWhatWasExpected) {
  auto config = load_text("[unit]\nid = 2A31\n\n[gps]\nbaud = 9601\n", "/etc/mdt-coresponder/unit.ini");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.bad_value");
  EXPECT_EQ(config.error().message,
            "config /etc/mdt-coresponder/unit.ini:5: gps.baud = 9601: expected one of 4800, 9600, "
            "19200, 38400, 57600, 115200 or auto");
}

TEST(ConfigLoader, UnknownKeySuggestsTheNearestKnownKey) {
  auto report = check_text("[unit]\nid = A1\n\n\n\n[cad]\nhearbeat_timeout_s = 30\n", "fleet.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.unknown_key");
  EXPECT_EQ(report.problems[0].line, 7);
  EXPECT_EQ(report.problems[0].key, "cad.hearbeat_timeout_s");
  EXPECT_EQ(report.problems[0].message,
            "config fleet.ini:7: cad.hearbeat_timeout_s: unknown key (did you mean cad.heartbeat_timeout_s?)");
}

TEST(ConfigLoader, KeyInTheWrongSectionSuggestsWhereItBelongs) {
  auto report = check_text("[cad]\ndb = /tmp/x.db\n", "fleet.ini");
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config fleet.ini:2: cad.db: unknown key (did you mean cache.db?)"});
}

TEST(ConfigLoader, UnknownKeyWithoutNearMatchListsTheSectionKeys) {
  auto report = check_text("[gps]\nsatellites = 12\n", "fleet.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{"config fleet.ini:2: gps.satellites: unknown key "
                                                       "(known keys in [gps]: port, baud, stale_after_s)"});
}

TEST(ConfigLoader, UnknownSectionSuggestsAndSkipsItsKeys) {
  auto report = check_text("[gsp]\nbaud = 4800\nport = auto\n", "fleet.ini");
  EXPECT_EQ(messages(report),
            std::vector<std::string>{"config fleet.ini:1: [gsp]: unknown section (did you mean [gps]?)"});
}

TEST(ConfigLoader, CollectsEveryErrorNotOnlyTheFirst) {
  auto report = check_text(
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
      "level = verbose\n",
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
  auto config = load_text("[unit]\nrole = sergeant\n[gps]\nbaud = 1\n", "u.ini");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "config u.ini:2: unit.role = sergeant: expected patrol or coresponder\n"
            "config u.ini:4: gps.baud = 1: expected one of 4800, 9600, 19200, 38400, 57600, 115200 or auto");
}

TEST(ConfigLoader, MixedErrorKindsAreReportedAsInvalid) {
  auto config = load_text("[gps]\nbaud = 1\n[foo]\n", "u.ini");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.invalid");
}

TEST(ConfigLoader, RangesAreInclusiveAtBothEnds) {
  EXPECT_TRUE(load_text("[cache]\nnearby_radius_m = 1\n").ok());
  EXPECT_TRUE(load_text("[cache]\nnearby_radius_m = 5000\n").ok());
  EXPECT_FALSE(load_text("[cache]\nnearby_radius_m = 0.5\n").ok());
  EXPECT_FALSE(load_text("[cache]\nnearby_radius_m = nan\n").ok());
  EXPECT_FALSE(load_text("[cache]\nnearby_radius_m = inf\n").ok());
  EXPECT_FALSE(load_text("[cad]\nheartbeat_timeout_s = -5\n").ok());
  EXPECT_FALSE(load_text("[cad]\nheartbeat_timeout_s = 99999999999999999999\n").ok());
  EXPECT_FALSE(load_text("[coresponder]\naccept_timeout_s = 0\n").ok());
  EXPECT_FALSE(load_text("[gps]\nstale_after_s = 0\n").ok());
}

TEST(ConfigLoader, EndpointsMustLookLikeTcpHostPortOrIpc) {
  for (const char* good : {"tcp://127.0.0.1:5556", "tcp://cad-gw.springfield.example:1", "tcp://[::1]:65535",
                           "ipc:///run/cad.sock"}) {
    EXPECT_TRUE(load_text(std::string("[cad]\nsubscribe_endpoint = ") + good + "\n").ok()) << good;
  }
  for (const char* bad : {"tcp://127.0.0.1", "tcp://127.0.0.1:0", "tcp://127.0.0.1:65536", "tcp://:5556",
                          "tcp://host:55a6", "ipc://", "udp://1.2.3.4:5", "tcp://*:5556", ""}) {
    EXPECT_FALSE(load_text(std::string("[cad]\nsubscribe_endpoint = ") + bad + "\n").ok()) << bad;
  }
}

TEST(ConfigLoader, UnitIdAllowsOnlyLettersDigitsDashUnderscoreUpTo32) {
  EXPECT_TRUE(load_text("[unit]\nid = " + std::string(32, 'A') + "\n").ok());
  EXPECT_FALSE(load_text("[unit]\nid = " + std::string(33, 'A') + "\n").ok());
  EXPECT_FALSE(load_text("[unit]\nid =\n").ok());
  EXPECT_FALSE(load_text("[unit]\nid = 2A.31\n").ok());
}

TEST(ConfigLoader, Z85KeyMustBeFortyCharactersOfTheAlphabet) {
  const std::string good = "Example.Springfield.Gateway.Key.NotReal0";
  std::string withClientKey = "\nclient_key_file = /etc/k\n";
  EXPECT_TRUE(load_text("[cad]\nserver_public_key = " + good + withClientKey).ok());
  EXPECT_FALSE(load_text("[cad]\nserver_public_key = " + good + "A" + withClientKey).ok());
  std::string bad = good;
  bad[3] = '~';  // not in the Z85 alphabet
  EXPECT_FALSE(load_text("[cad]\nserver_public_key = " + bad + withClientKey).ok());
}

TEST(ConfigLoader, ServerKeyWithoutClientKeyFileIsAConflict) {
  auto report = check_text("[cad]\nserver_public_key = Example.Springfield.Gateway.Key.NotReal0\n", "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.conflict");
  EXPECT_EQ(report.problems[0].message,
            "config f.ini:2: cad.server_public_key is set but cad.client_key_file is empty: expected both "
            "(CURVE needs this unit's key pair)");
}

TEST(ConfigLoader, SameEndpointForSubscribeAndDealerIsAConflict) {
  auto report = check_text("[cad]\ndealer_endpoint = tcp://127.0.0.1:5556\n", "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].line, 2);
  EXPECT_EQ(report.problems[0].code, "config.conflict");
}

// Found by fuzz_config: the clash was reported against the key left at its
// default, with no file or line ("config : cad.dealer_endpoint = ...").
TEST(ConfigLoader, EndpointClashIsReportedWhereTheClashingValueWasSet) {
  auto report = check_text("[cad]\nsubscribe_endpoint = tcp://127.0.0.1:5557\n", "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].key, "cad.subscribe_endpoint");
  EXPECT_EQ(report.problems[0].message,
            "config f.ini:2: cad.subscribe_endpoint = tcp://127.0.0.1:5557: same as cad.dealer_endpoint: "
            "expected the gateway's PUB endpoint, which differs from its ROUTER endpoint");
}

TEST(ConfigLoader, OutboxInTheCacheFileIsAConflict) {
  auto report = check_text("[cache]\ndb = /var/x.db\n[coresponder]\noutbox_db = /var/x.db\n", "f.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].message,
            "config f.ini:4: coresponder.outbox_db = /var/x.db: same file as cache.db: expected a separate file");
}

TEST(ConfigLoader, MissingFileIsNamed) {
  TempDir dir;
  auto config = load({dir.file("nope.ini")});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, "config.missing_file");
  EXPECT_EQ(config.error().message, "config " + dir.file("nope.ini") +
                                        ": cannot read: No such file or directory (expected a readable INI file)");
}

TEST(ConfigLoader, DirectoryInsteadOfFileIsNamed) {
  TempDir dir;
  auto report = check({dir.path()});
  EXPECT_EQ(messages(report), std::vector<std::string>{"config " + dir.path() +
                                                       ": cannot read: is a directory (expected a readable INI file)"});
}

TEST(ConfigLoader, ProblemsInSeveralFilesAreAllReported) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 1\n");
  write_file(dir.file("unit.ini"), "[unit]\nid = bad id\n");
  auto report = check({dir.file("fleet.ini"), dir.file("missing.ini"), dir.file("unit.ini")});
  ASSERT_EQ(report.problems.size(), 3u);
  EXPECT_EQ(report.problems[0].origin, dir.file("fleet.ini"));
  EXPECT_EQ(report.problems[1].code, "config.missing_file");
  EXPECT_EQ(report.problems[2].origin, dir.file("unit.ini"));
}

TEST(ConfigLoader, OversizedFileIsRefused) {
  TempDir dir;
  write_file(dir.file("big.ini"), "; " + std::string(1024 * 1024 + 10, 'x') + "\n");
  auto report = check({dir.file("big.ini")});
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.too_large");
}

TEST(ConfigLoader, SyntaxErrorsNameTheLine) {
  auto report = check_text("[unit]\nid 2A31\n[gps\nbaud = \"4800\n", "s.ini");
  EXPECT_EQ(messages(report),
            (std::vector<std::string>{
                "config s.ini:2: \"id 2A31\": expected key = value or a [section] header",
                "config s.ini:3: \"[gps\": expected a section header such as [gps]",
                "config s.ini:4: baud = \"4800: expected a closing double quote",
            }));
}

TEST(ConfigLoader, KeyBeforeAnySectionIsAnError) {
  auto report = check_text("id = 2A31\n", "s.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config s.ini:1: id: key outside any section: expected a [section] header first"});
}

TEST(ConfigLoader, KeySetTwiceInOneFileIsAnError) {
  auto report = check_text("[gps]\nbaud = 4800\n[gps]\nbaud = 9600\n", "d.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{"config d.ini:4: gps.baud: set twice in this file "
                                                       "(first on line 2): expected each key once"});
}

TEST(ConfigLoader, ControlCharactersAreEscapedInMessages) {
  auto report = check_text(std::string("[unit]\nname = a\x01" "b\n", 17), "c.ini");
  EXPECT_EQ(messages(report), std::vector<std::string>{
                                  "config c.ini:2: line contains a control character (\"name = a\\x01b\"): "
                                  "expected printable text"});
}

TEST(ConfigLoader, CrLfLineEndingsAndByteOrderMarkAreAccepted) {
  auto config = load_text("\xEF\xBB\xBF[gps]\r\nbaud = 4800\r\n", "w.ini");
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->gps_baud, "4800");
}

TEST(ConfigLoader, EmptyValueIsShownAsEmpty) {
  auto report = check_text("[cache]\ndb =\n", "e.ini");
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
  auto back = load_text(to_ini(c), "printed.ini");
  ASSERT_TRUE(back.ok()) << back.error().message << "\n" << to_ini(c);
  EXPECT_EQ(*back, c);
  EXPECT_EQ(*load_text(to_ini(Config{})), Config{});
}

TEST(ConfigLoader, KnownKeysCarryTheStructDefaultsAndEnvironmentNames) {
  const auto& keys = known_keys();
  ASSERT_EQ(keys.size(), 33u);
  auto find = [&](const std::string& s, const std::string& k) {
    for (const auto& info : keys) {
      if (info.section == s && info.key == k) return info;
    }
    return KeyInfo{};
  };
  EXPECT_EQ(find("cad", "heartbeat_timeout_s").default_value, "15");
  EXPECT_EQ(find("cache", "nearby_radius_m").default_value, "50");
  EXPECT_EQ(find("cache", "wipe_on_session_end").default_value, "false");
  EXPECT_EQ(find("unit", "role").default_value, "patrol");
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

}  // namespace
}  // namespace mdtc::config
