// Replays real receiver captures (gpsd's regression logs) through
// framer + decoder + tracker and compares every fix with gpsd's. The corpus
// lives beside the project and is optional: without it the test skips.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "corpus_dir.h"
#include "mdtc/gps.h"

namespace mdtc::gps {
namespace {

const std::string kCorpus = mdtc::test::corpus_dir("gpsd-nmea");

// Logs whose epochs are closer than a second apart: match to the ms there.
const std::set<std::string> kMillisecondLogs = {
    "bt451.log",      "cat-ms352.log", "hemi.log",  "nmea-fuzzy-cases.log", "nmea-rtk.log", "quectel-eg25-g.log",
    "quectel-l76k-nmea.log", "rst39.log", "sl869.log"};

struct Expected {
  int64_t time_ms = 0;
  double lat = 0, lon = 0;
  std::optional<double> alt, speed, track;
};

std::optional<int64_t> parse_iso(const std::string& s) {
  int y, mo, d, h, mi, sec, ms = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &y, &mo, &d, &h, &mi, &sec, &ms) < 6) return std::nullopt;
  // days_from_civil, inlined to keep the test on the public API only.
  const int64_t yy = y - (mo <= 2 ? 1 : 0);
  const int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const int64_t yoe = yy - era * 400;
  const int64_t doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
  const int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  return ((days * 24 + h) * 60 + mi) * 60'000 + sec * 1000 + ms;
}

std::string read_without_comments(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string out, line;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '#') continue;
    out += line;
    out += '\n';
  }
  return out;
}

// Every TPV gpsd printed (expected.jsonl), to explain fixes it has no
// record for in expected-fixes.jsonl.
struct Report {
  std::optional<int64_t> time_ms;
  std::optional<double> lat, lon;
  int mode = 0;
};

// gpsd moves dates it believes hit the GPS week-number rollover forward by
// 1024 weeks; these captures' receivers were right, so gpsd's dates are
// 1024 weeks late for them.
constexpr int64_t kRolloverMs = int64_t{1024} * 7 * 86'400'000;

struct LogResult {
  int expected = 0, matched = 0, missing = 0, position = 0, alt = 0, speed = 0, track = 0, extra = 0;
  int lacks_alt = 0, lacks_speed = 0, lacks_track = 0;
  int rollover = 0;                                     // matched after undoing gpsd's +1024 weeks
  int extra_untimed = 0, extra_nofix = 0, extra_last = 0, extra_other = 0;  // why gpsd has no record
  std::vector<std::string> notes;
};

TEST(GpsConformance, AgreesWithGpsdOnRealReceiverCaptures) {
  if (!std::filesystem::exists(kCorpus + "/expected-fixes.jsonl")) GTEST_SKIP() << "corpus not found at " << kCorpus;

  std::map<std::string, std::vector<Expected>> expected;
  {
    std::ifstream in(kCorpus + "/expected-fixes.jsonl");
    std::string line;
    Poco::JSON::Parser parser;
    while (std::getline(in, line)) {
      auto obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
      Expected e;
      e.time_ms = *parse_iso(obj->getValue<std::string>("time"));
      e.lat = obj->getValue<double>("lat");
      e.lon = obj->getValue<double>("lon");
      if (obj->has("altMSL")) e.alt = obj->getValue<double>("altMSL");
      if (obj->has("speed")) e.speed = obj->getValue<double>("speed");
      if (obj->has("track")) e.track = obj->getValue<double>("track");
      expected[obj->getValue<std::string>("log")].push_back(e);
      parser.reset();
    }
  }

  std::map<std::string, std::vector<Report>> reports;
  {
    std::ifstream in(kCorpus + "/expected.jsonl");
    std::string line;
    Poco::JSON::Parser parser;
    while (std::getline(in, line)) {
      auto obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
      Report r;
      if (obj->has("time")) r.time_ms = parse_iso(obj->getValue<std::string>("time"));
      if (obj->has("lat")) r.lat = obj->getValue<double>("lat");
      if (obj->has("lon")) r.lon = obj->getValue<double>("lon");
      if (obj->has("mode")) r.mode = obj->getValue<int>("mode");
      reports[obj->getValue<std::string>("log")].push_back(r);
      parser.reset();
    }
  }

  std::vector<std::string> logs;
  for (const auto& entry : std::filesystem::directory_iterator(kCorpus + "/logs")) {
    if (entry.path().extension() == ".log") logs.push_back(entry.path().filename().string());
  }
  std::sort(logs.begin(), logs.end());
  ASSERT_FALSE(logs.empty());

  int total_expected = 0, total_matched = 0, total_extra = 0, total_rollover = 0, total_untimed = 0,
      total_nofix = 0, total_last = 0, total_other = 0;
  std::printf("%-30s %5s %5s %5s %5s %5s %5s  %s\n", "log", "gpsd", "match", "miss", "diff", "extra", "agree",
              "notes");
  for (const auto& log : logs) {
    NmeaStream stream;
    // Last fix per epoch (a tracker may report an epoch again as it fills in).
    std::map<int64_t, Fix> by_ms, by_second;
    auto keep = [&](const Fix& f) {
      if (!f.time_ms || f.mode < Mode::fix_2d) return;
      by_ms[*f.time_ms] = f;
      by_second[*f.time_ms / 1000] = f;
    };
    stream.feed(read_without_comments(kCorpus + "/logs/" + log), 0, keep);
    stream.finish(keep);

    const bool ms = kMillisecondLogs.count(log) > 0;
    LogResult r;
    std::set<int64_t> used;
    for (const auto& e : expected[log]) {
      ++r.expected;
      const auto& table = ms ? by_ms : by_second;
      int64_t key = ms ? e.time_ms : e.time_ms / 1000;
      auto it = table.find(key);
      if (it == table.end()) {
        const int64_t shifted = ms ? e.time_ms - kRolloverMs : (e.time_ms - kRolloverMs) / 1000;
        if (table.count(shifted)) {
          key = shifted;
          it = table.find(key);
          ++r.rollover;
        }
      }
      if (it == table.end()) {
        ++r.missing;
        if (r.notes.size() < 3) r.notes.push_back("missing " + format_time_utc(e.time_ms));
        continue;
      }
      used.insert(key);
      const Fix& f = it->second;
      bool ok = true;
      if (std::fabs(*f.lat - e.lat) > 1e-6 || std::fabs(*f.lon - e.lon) > 1e-6) ++r.position, ok = false;
      if (e.alt && f.alt_m && std::fabs(*e.alt - *f.alt_m) > 1e-3) ++r.alt, ok = false;
      if (e.speed && f.speed_mps && std::fabs(*e.speed - *f.speed_mps) > 2e-3) ++r.speed, ok = false;
      if (e.track && f.course_deg && std::fabs(*e.track - *f.course_deg) > 1e-3) ++r.track, ok = false;
      if (e.alt && !f.alt_m) ++r.lacks_alt;
      if (e.speed && !f.speed_mps) ++r.lacks_speed;
      if (e.track && !f.course_deg) ++r.lacks_track;
      if (ok) ++r.matched;
      else if (r.notes.size() < 3) r.notes.push_back("differs at " + format_time_utc(e.time_ms) + ": " + to_json(f));
    }
    for (const auto& [key, f] : ms ? by_ms : by_second) {
      if (used.count(key)) continue;
      ++r.extra;
      // Why gpsd has no record: it printed this position without a time
      // (no date yet, or a cycle it closed before the RMC), or it said
      // "no fix" for this time, or neither.
      bool untimed = false, nofix = false;
      for (const auto& rep : reports[log]) {
        if (!rep.time_ms && rep.lat && std::fabs(*rep.lat - *f.lat) < 1e-6 && std::fabs(*rep.lon - *f.lon) < 1e-6)
          untimed = true;
        if (rep.time_ms && rep.mode < 2 && (ms ? *rep.time_ms == *f.time_ms : *rep.time_ms / 1000 == key))
          nofix = true;
      }
      const auto& table = ms ? by_ms : by_second;
      if (key == table.rbegin()->first) {
        ++r.extra_last;  // the capture ends mid-cycle: gpsd never closed it, we flush at end of input
      } else if (untimed) {
        ++r.extra_untimed;
      } else if (nofix) {
        ++r.extra_nofix;
      } else {
        ++r.extra_other;
        if (r.notes.size() < 4) r.notes.push_back("extra " + to_json(f));
      }
    }
    if (r.rollover) r.notes.push_back(std::to_string(r.rollover) + " matched with gpsd's date 1024 weeks later");
    if (r.extra_untimed || r.extra_nofix || r.extra_last) {
      r.notes.push_back("extras: " + std::to_string(r.extra_last) + " final epoch, " +
                        std::to_string(r.extra_untimed) + " gpsd printed without time, " +
                        std::to_string(r.extra_nofix) + " gpsd called no fix");
    }
    if (r.lacks_alt || r.lacks_speed || r.lacks_track) {
      r.notes.push_back("without alt/speed/track where gpsd has them: " + std::to_string(r.lacks_alt) + "/" +
                        std::to_string(r.lacks_speed) + "/" + std::to_string(r.lacks_track));
    }
    total_expected += r.expected;
    total_matched += r.matched;
    total_extra += r.extra;
    total_rollover += r.rollover;
    total_untimed += r.extra_untimed;
    total_nofix += r.extra_nofix;
    total_other += r.extra_other;
    total_last += r.extra_last;
    const double agree = r.expected ? 100.0 * r.matched / r.expected : 100.0;
    std::string notes;
    for (const auto& n : r.notes) notes += (notes.empty() ? "" : "; ") + n;
    std::printf("%-30s %5d %5d %5d %5d %5d %5.1f%%  %s\n", log.c_str(), r.expected, r.matched, r.missing,
                r.position + r.alt + r.speed + r.track, r.extra, agree, notes.c_str());
  }
  const double agreement = 100.0 * total_matched / total_expected;
  std::printf("TOTAL: %d of %d gpsd fixes matched (%.2f%%; %d of them only after undoing gpsd's 1024-week "
              "date shift); %d fixes gpsd has no record for: %d final epochs of a capture, %d it printed without a "
              "time, %d it called no fix, %d other\n",
              total_matched, total_expected, agreement, total_rollover, total_extra, total_last, total_untimed,
              total_nofix, total_other);
  std::printf("STRICT (dates as gpsd printed them): %d of %d (%.2f%%)\n", total_matched - total_rollover,
              total_expected, 100.0 * (total_matched - total_rollover) / total_expected);
  // The brief's floor is 95%; today 1282 of 1283 match (the one left is a
  // speed gpsd computed from positions, humminbird-M37), so hold the line
  // higher to catch regressions.
  EXPECT_GE(agreement, 99.0);
  EXPECT_GE(100.0 * (total_matched - total_rollover) / total_expected, 95.0);
  // Too lax shows as fixes gpsd has no trace of. Today: garmin48 stamps its
  // GLL one second later than its RMC/GGA and gpsd files each cycle under
  // the GLL's time while we report both times (6); humminbird-M37 and rst39
  // epochs at the very start that gpsd printed nothing for (3); bt451's
  // last epoch before a mid-file comment (1).
  EXPECT_LE(total_other, 10);
}

}  // namespace
}  // namespace mdtc::gps
