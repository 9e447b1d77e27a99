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
}

TEST(StatusStrip, AStaleOrMissingGpsIsAWarning) {
  EXPECT_NE(strip(with(kHealthy, R"("stale":false)", R"("stale":true)")).find(R"("text":"GPS STALE","severity":"warning")"),
            std::string::npos);
  EXPECT_NE(strip(with(kHealthy, R"("port":"tcp://127.0.0.1:1")", R"("port":"")")).find("NO GPS"), std::string::npos);
}

}  // namespace
