// Golden captures: each golden/<name>.nmea or .taip (synthetic, provenance
// in its header) has golden/<name>.expected beside it: every Fix as `gps decode
// --all` prints it plus satellites and HDOP, then the counters. A mismatch prints a diff; set
// MDTC_REGENERATE_GOLDEN=1 to rewrite the expected files after a deliberate
// change, and review the diff in version control.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "mdtc/gps.h"
#include "temp_dir.h"

namespace mdtc::gps {
namespace {

const std::string kGolden = MDTC_SOURCE_DIR "/tests/gps/golden";

// TAIP reports carry no date: .taip captures are decoded as if read at
// 2026-11-22T10:00:00Z.
constexpr int64_t kTaipUtcHintMs = 1'795'341'600'000;

std::string decode(const std::string& bytes, bool taip) {
  NmeaStream stream;
  if (taip) stream.set_utc_hint(kTaipUtcHintMs);
  std::string out;
  // The JSON line, then what the line format leaves out but the tracker
  // still reports.
  auto add = [&](const Fix& f) {
    out += to_json(f);
    if (f.satellites) out += " satellites=" + std::to_string(*f.satellites);
    if (f.hdop) {
      char hdop[32];
      std::snprintf(hdop, sizeof hdop, " hdop=%.2f", *f.hdop);
      out += hdop;
    }
    out += "\n";
  };
  stream.feed(bytes, 0, add);
  stream.finish(add);
  const NmeaCounters c = stream.counters();
  std::ostringstream counters;
  counters << "# counters: sentences " << c.sentences << ", checksum errors " << c.checksum_errors
           << ", missing checksums " << c.missing_checksum << ", fragments " << c.fragments << ", overlong "
           << c.overlong << ", decode errors " << c.decode_errors << ", ignored " << c.ignored << ", fixes "
           << c.fixes << "\n";
  return out + counters.str();
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string diff(const std::string& expected, const std::string& actual) {
  const auto e = split_lines(expected), a = split_lines(actual);
  std::string out;
  for (std::size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
    const std::string el = i < e.size() ? e[i] : "<none>";
    const std::string al = i < a.size() ? a[i] : "<none>";
    if (el != al) out += "line " + std::to_string(i + 1) + "\n- " + el + "\n+ " + al + "\n";
  }
  return out;
}

TEST(GpsGolden, EveryCaptureDecodesToItsExpectedFixesAndCounters) {
  const bool regenerate = std::getenv("MDTC_REGENERATE_GOLDEN") != nullptr;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kGolden)) {
    const bool taip = entry.path().extension() == ".taip";
    if (entry.path().extension() != ".nmea" && !taip) continue;
    const std::string actual = decode(mdtc::test::read_file(entry.path().string()), taip);
    auto expected_path = entry.path();
    expected_path.replace_extension(".expected");
    if (regenerate) {
      mdtc::test::write_file(expected_path.string(), actual);
      continue;
    }
    ASSERT_TRUE(std::filesystem::exists(expected_path))
        << expected_path << " missing: run with MDTC_REGENERATE_GOLDEN=1";
    const std::string expected = mdtc::test::read_file(expected_path.string());
    EXPECT_EQ(expected, actual) << entry.path().filename() << "\n" << diff(expected, actual);
    ++checked;
  }
  if (!regenerate) {
    EXPECT_GE(checked, 3);
  }
}

}  // namespace
}  // namespace mdtc::gps
