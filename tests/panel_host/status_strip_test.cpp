// The status strip in words for every part that can stop.
#include <gtest/gtest.h>

#include "mdtc/panel_host.h"

namespace {

using mdtc::panel::PluginHealth;
using mdtc::panel::status_strip_json;

const std::string kHealthy =
    R"({"unit":"2A31","running":true,"cad_link":{"up":true},"gps":{"port":"tcp://127.0.0.1:1","connected":true,)"
    R"("stale":false},"cache":"open","cache_age_s":7200,"cache_max_age_h":24,"pipeline_idle_ms":40})";

std::string strip(const std::string& status, int64_t age_ms = 100, bool started = true) {
  return status_strip_json(PluginHealth{status, age_ms, started});
}

std::string with(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(StatusStrip, AllWellSaysEachPartInWords) {
  EXPECT_EQ(strip(kHealthy),
            R"({"severity":"info","items":[{"id":"plugin","text":"Plugin OK","severity":"info"},)"
            R"({"id":"cad","text":"CAD link up","severity":"info"},{"id":"cache","text":"Flags 2 h old","severity":"info"},)"
            R"({"id":"gps","text":"GPS OK","severity":"info"}]})");
}

TEST(StatusStrip, ALostCadLinkIsDanger) {
  const auto s = strip(with(kHealthy, R"("up":true)", R"("up":false)"));
  EXPECT_NE(s.find(R"({"id":"cad","text":"CAD LINK DOWN","severity":"danger"})"), std::string::npos) << s;
  EXPECT_EQ(s.rfind(R"({"severity":"danger")", 0), 0u);
}

TEST(StatusStrip, APluginThatStopsAnsweringOrWhosePipelineHangsIsNotResponding) {
  EXPECT_NE(strip(kHealthy, 3001).find(R"("text":"PLUGIN NOT RESPONDING","severity":"danger")"), std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("pipeline_idle_ms":40)", R"("pipeline_idle_ms":5000)"))
                .find("PLUGIN NOT RESPONDING"),
            std::string::npos);
  EXPECT_NE(strip("", 0).find("PLUGIN NOT RESPONDING"), std::string::npos);
}

TEST(StatusStrip, APluginThatNeverStartedOrStoppedIsStopped) {
  EXPECT_NE(strip("", 0, false).find(R"("text":"PLUGIN STOPPED","severity":"danger")"), std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("running":true)", R"("running":false)")).find("PLUGIN STOPPED"),
            std::string::npos);
}

TEST(StatusStrip, AnOldOrUnavailableCacheSaysSo) {
  EXPECT_NE(strip(with(kHealthy, R"("cache_age_s":7200)", R"("cache_age_s":190000)")).find(
                R"("text":"FLAGS 2 days OLD","severity":"warning")"),
            std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("cache":"open")", R"("cache":"unavailable")")).find(
                R"("text":"FLAGS UNAVAILABLE","severity":"danger")"),
            std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("cache":"open")", R"("cache":"failing")")).find(
                R"("text":"FLAGS UNAVAILABLE","severity":"danger")"),
            std::string::npos);
}

// Found from outside: a car whose cache refused the registry's newer file
// read healthy while the registry was a version ahead.
TEST(StatusStrip, ARegistryAheadOfAFailingSyncIsAWarning) {
  const std::string failing = R"("cache_age_s":7200,"registry_sync":{"state":"rejected","version":2,"registry_version":3})";
  EXPECT_NE(strip(with(kHealthy, R"("cache_age_s":7200)", failing))
                .find(R"("text":"Flags 2 h old - NEWER FLAGS NOT LOADED","severity":"warning")"),
            std::string::npos);
  const std::string current = R"("cache_age_s":7200,"registry_sync":{"state":"transferring","version":2,"registry_version":3})";
  EXPECT_NE(strip(with(kHealthy, R"("cache_age_s":7200)", current)).find(R"("text":"Flags 2 h old","severity":"info")"),
            std::string::npos);
}

// Found from outside: with the clock 200 days behind the last sync, the
// age was negative and the strip said the flags were fresh.
TEST(StatusStrip, ALastSyncAheadOfTheClockIsAnUnknownAge) {
  EXPECT_NE(strip(with(kHealthy, R"("cache_age_s":7200)", R"("cache_age_s":-17279990)")).find(
                R"("text":"FLAGS AGE UNKNOWN - CLOCK BEHIND","severity":"warning")"),
            std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("cache_age_s":7200)", R"("cache_age_s":-30)")).find(R"("text":"Flags )"),
            std::string::npos)
      << "a few seconds between two clocks is not a wrong clock";
}

// After an upgrade that changed the address rules, until the next snapshot
// some spellings find nothing and no panel can say so: the strip does.
TEST(StatusStrip, PremisesReadUnderOlderAddressRulesAreACaution) {
  const auto s = strip(with(kHealthy, R"("cache_age_s":7200)",
                            R"("cache_age_s":7200,"cache_address_rules_current":false)"));
  EXPECT_NE(s.find(R"({"id":"cache","text":"Flags 2 h old - address update pending, some spellings may not match",)"
                   R"("severity":"caution"})"),
            std::string::npos)
      << s;
  EXPECT_EQ(strip(with(kHealthy, R"("cache_age_s":7200)", R"("cache_age_s":7200,"cache_address_rules_current":true)")),
            strip(kHealthy));
  // An old cache stays a warning.
  EXPECT_NE(strip(with(kHealthy, R"("cache_age_s":7200)",
                       R"("cache_age_s":190000,"cache_address_rules_current":false)"))
                .find(R"("severity":"warning")"),
            std::string::npos);
}

TEST(StatusStrip, AStaleOrMissingGpsIsAWarning) {
  EXPECT_NE(strip(with(kHealthy, R"("stale":false)", R"("stale":true)")).find(R"("text":"GPS STALE","severity":"warning")"),
            std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("port":"tcp://127.0.0.1:1")", R"("port":"")")).find("NO GPS"), std::string::npos);
}

}  // namespace

namespace {

// 2026-06-21 and 2026-12-21 at Springfield, IL (39.80 N, 89.64 W; UTC-5/-6):
// sunrise about 10:30 UTC in June, 13:10 UTC in December.
constexpr int64_t kJune21 = 1782000000000;       // 2026-06-21T00:00:00Z
constexpr int64_t kDecember21 = 1797811200000;  // 2026-12-21T00:00:00Z
constexpr int64_t kHour = 3600000;

TEST(SunIsUp, FollowsSunriseAtTheCarsPositionNotTheClock) {
  EXPECT_TRUE(mdtc::panel::sun_is_up(39.80, -89.64, kJune21 + 18 * kHour));   // 13:00 local
  EXPECT_FALSE(mdtc::panel::sun_is_up(39.80, -89.64, kJune21 + 8 * kHour));   // 03:00 local
  EXPECT_FALSE(mdtc::panel::sun_is_up(39.80, -89.64, kJune21 + 10 * kHour));  // before 10:30 UTC
  EXPECT_TRUE(mdtc::panel::sun_is_up(39.80, -89.64, kJune21 + 11 * kHour));   // after it
  EXPECT_FALSE(mdtc::panel::sun_is_up(39.80, -89.64, kDecember21 + 12 * kHour + 45 * 60000));  // 06:45 CST, dark
  EXPECT_TRUE(mdtc::panel::sun_is_up(39.80, -89.64, kDecember21 + 13 * kHour + 45 * 60000));
  // Above the Arctic Circle the summer sun does not set.
  EXPECT_TRUE(mdtc::panel::sun_is_up(69.65, 18.96, kJune21 + 23 * kHour));
}

TEST(StatusStrip, SaysWhetherItIsDaylightWhereTheCarIs) {
  const std::string with_position = kHealthy.substr(0, kHealthy.size() - 1) + R"(,"position":{"lat":39.8,"lon":-89.64}})";
  EXPECT_NE(status_strip_json(PluginHealth{with_position, 100, true, kJune21 + 18 * kHour}).find(R"("daylight":true)"),
            std::string::npos);
  EXPECT_NE(status_strip_json(PluginHealth{with_position, 100, true, kJune21 + 8 * kHour}).find(R"("daylight":false)"),
            std::string::npos);
  EXPECT_EQ(status_strip_json(PluginHealth{kHealthy, 100, true, kJune21}).find("daylight"), std::string::npos);
}

}  // namespace
