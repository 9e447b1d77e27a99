// `mdt-coresponder gps ...` as fleet IT runs it: the real binary, real files,
// the real stub-gps on a pty.
#include <gtest/gtest.h>

#include <filesystem>
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <thread>

#include "gps_test_support.h"
#include "temp_dir.h"

namespace mdtc::gps {
namespace {

const std::string kCli = MDTC_BINARY_DIR "/cli/mdt-coresponder";

struct CliRun {
  int code = -1;
  std::string out;
};

// stdout of `kCli args`, stderr discarded unless asked for; the exit code
// as the shell sees it.
CliRun run(const std::string& args, bool with_stderr = false) {
  CliRun r;
  FILE* p = ::popen((kCli + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null")).c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::size_t lines(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

const std::string kCapture =
    test::epoch(100000) + "noise\r\n" + test::epoch(100001) +
    test::with_checksum("GPRMC,100002,V,,,,,,,221126,,,N");

TEST(GpsCli, DecodePrintsOneJsonFixPerLine) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("capture.nmea"), kCapture);
  const CliRun r = run("gps decode " + dir.file("capture.nmea"));
  EXPECT_EQ(r.code, 0);
  ASSERT_EQ(lines(r.out), 2u) << r.out;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')),
            "{\"time\":\"2026-11-22T10:00:00.000Z\",\"lat\":39.801200000,\"lon\":-89.643700000,\"mode\":3,"
            "\"speed_mps\":13.401,\"course_deg\":270.00,\"alt_m\":180.000}");
}

TEST(GpsCli, DecodeAllAlsoPrintsEpochsWithoutAFix) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("capture.nmea"), kCapture);
  const CliRun r = run("gps decode --all " + dir.file("capture.nmea"));
  EXPECT_EQ(r.code, 0);
  ASSERT_EQ(lines(r.out), 3u) << r.out;
  EXPECT_NE(r.out.find("{\"time\":\"2026-11-22T10:00:02.000Z\",\"mode\":1}"), std::string::npos) << r.out;
}

TEST(GpsCli, DecodeReadsStandardInput) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("capture.nmea"), kCapture);
  const CliRun r = run("gps decode - < " + dir.file("capture.nmea"));
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(lines(r.out), 2u);
}

TEST(GpsCli, DecodeOfAMissingFileFails) {
  EXPECT_EQ(run("gps decode /nonexistent/capture.nmea").code, 1);
}

TEST(GpsCli, DecodeOfAFileWithoutNmeaFails) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("notes.txt"), "this is not a GPS capture\n");
  const CliRun r = run("gps decode " + dir.file("notes.txt"));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
}

TEST(GpsCli, DecodeOfSentencesWithoutAFixFailsUnlessAllIsAsked) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("nofix.nmea"), test::with_checksum("GPRMC,100002,V,,,,,,,221126,,,N"));
  EXPECT_EQ(run("gps decode " + dir.file("nofix.nmea")).code, 1);
  EXPECT_EQ(run("gps decode --all " + dir.file("nofix.nmea")).code, 0);
}

TEST(GpsCli, HelpOfEachSubcommandListsEveryOption) {
  const std::string decode = run("gps decode --help").out;
  for (const char* o : {"--all", "--accept-missing-checksum", "--stats", "--file"})
    EXPECT_NE(decode.find(o), std::string::npos) << o << "\n" << decode;
  const std::string monitor = run("gps monitor --help").out;
  for (const char* o : {"--port", "--baud", "--count", "--seconds"})
    EXPECT_NE(monitor.find(o), std::string::npos) << o << "\n" << monitor;
  const std::string usage = run("gps --help").out;
  for (const char* o : {"--all", "--accept-missing-checksum", "--stats", "--port", "--baud", "--count", "--seconds"})
    EXPECT_NE(usage.find(o), std::string::npos) << o << "\n" << usage;
}

TEST(GpsCli, UnknownSubcommandIsAUsageError) {
  EXPECT_EQ(run("gps frobnicate").code, 2);
  EXPECT_EQ(run("gps monitor --baud 9601").code, 2);
}

TEST(GpsCli, PortsListsWithoutFailing) {
  const CliRun r = run("gps ports");
  // Ports are enumerated through sysfs; in a root without /sys (a bare
  // chroot) the honest answer is an error that says so, not an empty list.
  if (!std::filesystem::exists("/sys/class/tty")) {
    EXPECT_EQ(r.code, 1);
    return;
  }
  EXPECT_EQ(r.code, 0);
}

TEST(GpsCli, MonitorEndsByItselfAfterCountFixes) {
  test::StubGps stub({"--rate-hz", "5"});
  const CliRun r = run("gps monitor --port " + stub.port() + " --baud 9600 --count 2 --seconds 30");
  EXPECT_EQ(r.code, 0);
  EXPECT_GE(lines(r.out), 2u) << r.out;
  EXPECT_NE(r.out.find("\"lat\":39.80"), std::string::npos) << r.out;
}

TEST(GpsCli, MonitorFailsWhenTheCountIsNotReached) {
  test::Pty silent;  // a receiver that says nothing
  const CliRun r = run("gps monitor --port " + silent.path() + " --baud 9600 --count 1 --seconds 1");
  EXPECT_EQ(r.code, 1) << r.out;
}

TEST(GpsCli, MonitorNamesTheRoutersSourceAndProtocol) {
  test::TcpRouter router;
  // The router answers from its own thread while the CLI runs; it stops
  // waiting on its own deadline, so a CLI that never connects fails the
  // test instead of hanging it.
  std::thread serve([&] {
    try {
      router.accept();
      router.send(test::taip_pv(36000) + test::taip_pv(36001));
    } catch (const std::exception&) {
    }
  });
  const CliRun r = run("gps monitor --port " + router.url() + " --count 1 --seconds 20", true);
  serve.join();
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("source=\"tcp 127.0.0.1:" + std::to_string(router.port()) + "\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("protocol=TAIP"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"lat\":39.80"), std::string::npos) << r.out;
}

TEST(GpsCli, DecodeReadsATaipCapture) {
  mdtc::test::TempDir dir;
  mdtc::test::write_file(dir.file("capture.taip"), test::taip_pv(36000) + test::taip_pv(36001));
  const CliRun r = run("gps decode " + dir.file("capture.taip"));
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(lines(r.out), 2u) << r.out;
  EXPECT_NE(r.out.find("\"lat\":39.801200000,\"lon\":-89.643700000,\"mode\":3"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace mdtc::gps
