// `mdt-coresponder config check`, run as fleet IT runs it: the built binary,
// real files, exit codes and output.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>

#include "child_process.h"
#include "temp_dir.h"

namespace mdtc {
namespace {

using test::TempDir;
using test::write_file;

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

Run run_cli(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), MDTC_BINARY_DIR "/cli/mdt-coresponder");
  const std::string out = dir.file("cli-output.txt");
  std::remove(out.c_str());
  test::ChildProcess child(args, out);
  auto status = child.wait_for_exit(std::chrono::seconds(30));
  Run run;
  run.exit_code = status ? *status : child.terminate();
  run.output = test::read_file(out);
  return run;
}

TEST(ConfigCheckCli, ValidLayersPrintOkAndExitZero) {
  TempDir dir;
  auto run = run_cli(dir, {"config", "check", MDTC_SOURCE_DIR "/config/examples/fleet.ini",
                           MDTC_SOURCE_DIR "/config/examples/unit-2A31.ini"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "ok\n");
}

TEST(ConfigCheckCli, PrintShowsTheEffectiveLayeredConfig) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 9600\nstale_after_s = 20\n");
  write_file(dir.file("unit.ini"), "[gps]\nbaud = 4800\n[unit]\nid = 2A31\nrole = patrol\n");
  auto run = run_cli(dir, {"config", "check", "--print", dir.file("fleet.ini"), dir.file("unit.ini")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.rfind("ok\n", 0), 0u) << run.output;
  EXPECT_NE(run.output.find("[gps]\nport = \nbaud = 4800\nstale_after_s = 20\n"), std::string::npos) << run.output;
}

TEST(ConfigCheckCli, EveryProblemIsPrintedAndExitIsOne) {
  TempDir dir;
  write_file(dir.file("unit.ini"), "[gps]\nbaud = 9601\n[cad]\nhearbeat_timeout_s = 30\n[unit]\nid = 2A31\nrole = patrol\n");
  auto run = run_cli(dir, {"config", "check", dir.file("unit.ini"), dir.file("missing.ini")});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.output,
            "config " + dir.file("unit.ini") +
                ":2: gps.baud = 9601: expected one of 4800, 9600, 19200, 38400, 57600, 115200 or auto\n"
                "config " + dir.file("unit.ini") +
                ":4: cad.hearbeat_timeout_s: unknown key (did you mean cad.heartbeat_timeout_s?)\n"
                "config " + dir.file("missing.ini") +
                ": cannot read: No such file or directory (expected a readable INI file)\n"
                "3 problems; the plugin would refuse to start with this configuration\n");
}

TEST(ConfigCheckCli, EnvironmentIsAppliedByDefaultAsThePluginDoes) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 9600\n[unit]\nid = 2A31\nrole = patrol\n");
  ::setenv("MDTC_GPS_BAUD", "9601", 1);
  auto by_default = run_cli(dir, {"config", "check", dir.file("fleet.ini")});
  auto old_flag = run_cli(dir, {"config", "check", "--env", dir.file("fleet.ini")});
  auto without = run_cli(dir, {"config", "check", "--no-env", dir.file("fleet.ini")});
  ::unsetenv("MDTC_GPS_BAUD");
  EXPECT_EQ(by_default.exit_code, 1) << by_default.output;
  EXPECT_NE(by_default.output.find("config environment MDTC_GPS_BAUD: gps.baud = 9601"), std::string::npos)
      << by_default.output;
  EXPECT_EQ(old_flag.output, by_default.output) << "--env is kept as a no-op for old scripts";
  EXPECT_EQ(without.exit_code, 0) << without.output;
}

TEST(ConfigCheckCli, MissingIdentityIsRefusedNamingFilesAndKeys) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 9600\n");
  auto run = run_cli(dir, {"config", "check", "--no-env", dir.file("fleet.ini")});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("config " + dir.file("fleet.ini") + ": unit.id is not set"), std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("unit.role is not set"), std::string::npos) << run.output;
}

TEST(ConfigCheckCli, CurveSecretKeyReadableByOthersIsRefused) {
  TempDir dir;
  write_file(dir.file("client.key"), "public=Example.Springfield.Unit.Key.NotReal.000\n"
                                     "secret=Example.Springfield.Unit.Secret.NotReal0\n");
  ASSERT_EQ(::chmod(dir.file("client.key").c_str(), 0644), 0);
  write_file(dir.file("unit.ini"), "[unit]\nid = 2A31\nrole = patrol\n[cad]\nserver_public_key = "
                                   "Example.Springfield.Gateway.Key.NotReal0\nclient_key_file = " +
                                       dir.file("client.key") + "\n");
  auto run = run_cli(dir, {"config", "check", dir.file("unit.ini")});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("has mode 0644: group or others can read the secret: expected 0600 (owner only); "
                            "fix: chmod 600 " + dir.file("client.key")),
            std::string::npos)
      << run.output;
}

TEST(ConfigCheckCli, InlineCommentIsAWarningAndTheCheckStillPasses) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = /var/lib/x/cache.db ; default\n");
  auto run = run_cli(dir, {"config", "check", "--no-env", dir.file("fleet.ini")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.rfind("warning: config " + dir.file("fleet.ini") + ":5: cache.db = /var/lib/x/cache.db ; default: "
                             "';' after a value is not a comment",
                             0),
            0u)
      << run.output;
  EXPECT_NE(run.output.find("\nok\n"), std::string::npos) << run.output;
}

TEST(ConfigCheckCli, HelpListsEveryOption) {
  TempDir dir;
  auto run = run_cli(dir, {"config", "check", "--help"});
  EXPECT_EQ(run.exit_code, 0);
  for (const char* option : {"--print", "--no-env", "--env", "--help"})
    EXPECT_NE(run.output.find(option), std::string::npos) << option << "\n" << run.output;
}

// A new admin reads the top-level help first: every command is there
// (cache reset and config defaults were missing).
TEST(ConfigCheckCli, TopLevelHelpNamesEveryCommand) {
  TempDir dir;
  auto run = run_cli(dir, {"--help"});
  for (const char* command : {"version", "doctor", "gps decode", "gps ports", "gps monitor", "cache import",
                              "cache match", "cache stats|verify|purge|reset", "cache sync", "keys generate",
                              "config check", "config defaults", "outcomes export", "outcomes summary"})
    EXPECT_NE(run.output.find(command), std::string::npos) << command << "\n" << run.output;
}

TEST(ConfigCheckCli, NoFileIsAUsageError) {
  TempDir dir;
  auto run = run_cli(dir, {"config", "check"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.output.find("usage: mdt-coresponder config check"), std::string::npos) << run.output;
}

TEST(ConfigCheckCli, UnknownOptionIsAUsageError) {
  TempDir dir;
  auto run = run_cli(dir, {"config", "check", "--frobnicate", "x.ini"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
}

TEST(ConfigCheckCli, DefaultsPrintAFileThatNeedsOnlyTheUnitsIdentity) {
  TempDir dir;
  auto defaults = run_cli(dir, {"config", "defaults"});
  ASSERT_EQ(defaults.exit_code, 0);
  write_file(dir.file("defaults.ini"), defaults.output);
  auto alone = run_cli(dir, {"config", "check", "--no-env", dir.file("defaults.ini")});
  EXPECT_EQ(alone.exit_code, 1) << alone.output;
  EXPECT_NE(alone.output.find("2 problems"), std::string::npos) << alone.output;
  write_file(dir.file("unit.ini"), "[unit]\nid = 2A31\nrole = patrol\n");
  auto run = run_cli(dir, {"config", "check", "--no-env", dir.file("defaults.ini"), dir.file("unit.ini")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

}  // namespace
}  // namespace mdtc
