// `mdt-coresponder config check`, run as fleet IT runs it: the built binary,
// real files, exit codes and output.
#include <gtest/gtest.h>

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
  write_file(dir.file("unit.ini"), "[gps]\nbaud = 4800\n");
  auto run = run_cli(dir, {"config", "check", "--print", dir.file("fleet.ini"), dir.file("unit.ini")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.rfind("ok\n", 0), 0u) << run.output;
  EXPECT_NE(run.output.find("[gps]\nport = \nbaud = 4800\nstale_after_s = 20\n"), std::string::npos) << run.output;
}

TEST(ConfigCheckCli, EveryProblemIsPrintedAndExitIsOne) {
  TempDir dir;
  write_file(dir.file("unit.ini"), "[gps]\nbaud = 9601\n[cad]\nhearbeat_timeout_s = 30\n");
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

TEST(ConfigCheckCli, EnvironmentIsAppliedOnlyWhenAskedFor) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 9600\n");
  ::setenv("MDTC_GPS_BAUD", "9601", 1);
  auto without = run_cli(dir, {"config", "check", dir.file("fleet.ini")});
  auto with = run_cli(dir, {"config", "check", "--env", dir.file("fleet.ini")});
  ::unsetenv("MDTC_GPS_BAUD");
  EXPECT_EQ(without.exit_code, 0) << without.output;
  EXPECT_EQ(with.exit_code, 1) << with.output;
  EXPECT_NE(with.output.find("config environment MDTC_GPS_BAUD: gps.baud = 9601"), std::string::npos)
      << with.output;
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

TEST(ConfigCheckCli, DefaultsPrintAFileThatChecksClean) {
  TempDir dir;
  auto defaults = run_cli(dir, {"config", "defaults"});
  ASSERT_EQ(defaults.exit_code, 0);
  write_file(dir.file("defaults.ini"), defaults.output);
  auto run = run_cli(dir, {"config", "check", dir.file("defaults.ini")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

}  // namespace
}  // namespace mdtc
