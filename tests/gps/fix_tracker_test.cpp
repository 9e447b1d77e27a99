#include "fix_tracker.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

namespace mdtc::gps {
namespace {

constexpr int64_t kDay = 86'400'000;

int64_t utc_ms(CivilDate d, int h, int m, int s, int ms = 0) {
  return days_from_civil(d) * kDay + ((h * 60 + m) * 60 + s) * 1000 + ms;
}

struct Harness {
  explicit Harness(TrackerOptions o = {}) : tracker(std::move(o)) {}
  FixTracker tracker;
  std::vector<Fix> fixes;
  int64_t now = 0;
  void feed(std::string_view body) {
    auto d = decode_sentence(body);
    ASSERT_TRUE(d.ok()) << body;
    tracker.add(*d, now, [&](const Fix& f) { fixes.push_back(f); });
  }
  void flush() {
    tracker.flush([&](const Fix& f) { fixes.push_back(f); });
  }
};

TEST(FixTracker, MergesGgaAndRmcOfOneEpochInto3dFix) {
  Harness h;
  h.feed("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
  h.feed("GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W");
  EXPECT_TRUE(h.fixes.empty()) << "the epoch is not complete until the next time is seen";
  h.feed("GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
  ASSERT_EQ(h.fixes.size(), 1u);
  const Fix& f = h.fixes[0];
  EXPECT_EQ(f.time_ms, utc_ms({1994, 3, 23}, 12, 35, 19));
  EXPECT_EQ(f.mode, Mode::fix_3d);
  EXPECT_NEAR(*f.lat, 48.1173, 1e-9);
  EXPECT_NEAR(*f.lon, 11.516666667, 1e-9);
  EXPECT_DOUBLE_EQ(*f.alt_m, 545.4);
  EXPECT_NEAR(*f.speed_mps, 22.4 * 0.514444, 1e-9);
  EXPECT_DOUBLE_EQ(*f.course_deg, 84.4);
  EXPECT_EQ(f.satellites, 8);
  EXPECT_DOUBLE_EQ(*f.hdop, 0.9);
}

TEST(FixTracker, RmcOnlyIs2d) {
  Harness h;
  h.feed("GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 1u);
  EXPECT_EQ(h.fixes[0].mode, Mode::fix_2d);
  EXPECT_FALSE(h.fixes[0].alt_m);
}

TEST(FixTracker, GsaTwoDimensionalWithoutAltitudeIs2d) {
  Harness h;
  h.feed("GPGGA,112257.00,3844.24011,N,00908.43828,W,1,03,10.5,,,,,,");
  h.feed("GPGSA,A,2,10,13,23,,,,,,,,,,10.5,10.5,");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 1u);
  EXPECT_EQ(h.fixes[0].mode, Mode::fix_2d);
  EXPECT_FALSE(h.fixes[0].alt_m);
}

TEST(FixTracker, GgaAltitudeMeans3dEvenWhenPerConstellationGsaSays2d) {
  Harness h;
  h.feed("GNGGA,135651.997,5543.0328,N,03724.7198,E,1,06,01.8,165.6,M,14.6,M,,");
  h.feed("GNGSA,A,2,19,27,,,,,,,,,,,02.1,01.8,00.9");
  h.feed("GNGSA,A,2,67,84,83,75,,,,,,,,,02.1,01.8,00.9");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 1u);
  EXPECT_EQ(h.fixes[0].mode, Mode::fix_3d);
  EXPECT_DOUBLE_EQ(*h.fixes[0].alt_m, 165.6);
}

TEST(FixTracker, GsaThreeDimensionalGivesMode3) {
  Harness h;
  h.feed("GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1");
  h.feed("GPRMC,225446,A,4916.45,N,12311.12,W,000.5,054.7,191194,020.3,E");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 1u);
  EXPECT_EQ(h.fixes[0].mode, Mode::fix_3d);
}

TEST(FixTracker, NoFixEpochReportsNoFixWithoutPosition) {
  Harness h;
  h.feed("GPRMC,225446,V,,,,,,,191194,,,N");
  h.feed("GPGGA,225446,,,,,0,00,,,M,,M,,");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 1u);
  EXPECT_EQ(h.fixes[0].mode, Mode::no_fix);
  EXPECT_FALSE(h.fixes[0].lat);
  EXPECT_EQ(h.fixes[0].time_ms, utc_ms({1994, 11, 19}, 22, 54, 46));
}

TEST(FixTracker, NoTimeUntilADateIsKnown) {
  Harness h;
  h.feed("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
  h.feed("GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,");
  h.feed("GPZDA,123520,23,03,1994,00,00");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 2u);
  EXPECT_FALSE(h.fixes[0].time_ms);
  EXPECT_TRUE(h.fixes[0].lat);
  EXPECT_EQ(h.fixes[1].time_ms, utc_ms({1994, 3, 23}, 12, 35, 20));
}

TEST(FixTracker, TimeOnlySentenceAfterMidnightGetsTheNextDay) {
  Harness h;
  h.feed("GPRMC,235959,A,3948.000,N,08938.400,W,10.0,90.0,311226,,,A");
  h.feed("GPGGA,000000,3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
  h.feed("GPGGA,000001,3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 3u);
  EXPECT_EQ(h.fixes[0].time_ms, utc_ms({2026, 12, 31}, 23, 59, 59));
  EXPECT_EQ(h.fixes[1].time_ms, utc_ms({2027, 1, 1}, 0, 0, 0));
  EXPECT_EQ(h.fixes[2].time_ms, utc_ms({2027, 1, 1}, 0, 0, 1));
}

TEST(FixTracker, TimeGoingBackSecondsIsNotAMidnight) {
  Harness h;
  h.feed("INRMC,194124,A,3948.000,N,08938.400,W,0.0,0.0,221126,,,A");
  h.feed("INGGA,194111,3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 2u);
  EXPECT_EQ(h.fixes[1].time_ms, utc_ms({2026, 11, 22}, 19, 41, 11));
}

TEST(FixTracker, LearnsTheCycleEnderAndEmitsWithoutWaitingForTheNextEpoch) {
  Harness h;
  auto cycle = [&](const char* t) {
    h.feed(std::string("GPGGA,") + t + ",3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
    h.feed("GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1");
    h.feed(std::string("GPRMC,") + t + ",A,3948.000,N,08938.400,W,10.0,90.0,221126,,,A");
    h.feed("GPVTG,90.0,T,,M,10.0,N,18.5,K,A");
  };
  cycle("100000");
  cycle("100001");
  ASSERT_EQ(h.fixes.size(), 1u);  // epoch 0, closed by the next time of day
  EXPECT_EQ(h.tracker.learned_end_of_cycle(), "");
  cycle("100002");  // its GGA closes epoch 1: VTG has now ended two cycles
  EXPECT_EQ(h.tracker.learned_end_of_cycle(), "VTG");
  ASSERT_EQ(h.fixes.size(), 3u) << "epoch 2 is reported at its VTG, not a cycle later";
  EXPECT_EQ(h.fixes[2].time_ms, utc_ms({2026, 11, 22}, 10, 0, 2));
  h.feed("GPGGA,100003,3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
  EXPECT_EQ(h.fixes.size(), 3u) << "epoch 2 was already reported and nothing changed";
}

TEST(FixTracker, ConfiguredEnderEmitsFromTheFirstCycle) {
  Harness h(TrackerOptions{"RMC", 10});
  h.feed("GPGGA,100000,3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
  h.feed("GPRMC,100000,A,3948.000,N,08938.400,W,10.0,90.0,221126,,,A");
  ASSERT_EQ(h.fixes.size(), 1u);
  EXPECT_EQ(h.fixes[0].mode, Mode::fix_3d);
}

TEST(FixTracker, DataAfterAnEarlyEmitIsReportedAgainAtClose) {
  Harness h(TrackerOptions{"RMC", 10});
  h.feed("GPRMC,100000,A,3948.000,N,08938.400,W,10.0,90.0,221126,,,A");
  h.feed("GPGGA,100000,3948.000,N,08938.400,W,1,08,0.9,180.0,M,-33.0,M,,");
  h.flush();
  ASSERT_EQ(h.fixes.size(), 2u);
  EXPECT_EQ(h.fixes[0].mode, Mode::fix_2d);
  EXPECT_EQ(h.fixes[1].mode, Mode::fix_3d);
  EXPECT_DOUBLE_EQ(*h.fixes[1].alt_m, 180.0);
}

TEST(FixTracker, StaleAfterConfiguredSecondsWithoutValidFix) {
  Harness h(TrackerOptions{"", 10});
  EXPECT_TRUE(h.tracker.stale(0)) << "no fix yet is stale";
  h.now = 1'000;
  h.feed("GPRMC,100000,A,3948.000,N,08938.400,W,10.0,90.0,221126,,,A");
  EXPECT_FALSE(h.tracker.stale(1'000));
  EXPECT_FALSE(h.tracker.stale(11'000));
  h.now = 5'000;
  h.feed("GPRMC,100004,V,,,,,,,221126,,,N");  // fix lost: does not refresh
  EXPECT_TRUE(h.tracker.stale(11'001));
}

// Found from outside: a receiver sending valid sentences whose second and
// position never moved stayed "GPS OK", and when it finally lost its fix the
// frozen position went out as a current one.
TEST(FixTracker, AReceiverRepeatingOneSecondGoesStaleAndItsPositionIsNotReportedLate) {
  Harness h(TrackerOptions{"", 5});
  for (int i = 0; i <= 40; ++i) {
    h.now = 1'000 * i;
    h.feed("GPGGA,202544,3945.000,N,08936.000,W,1,08,0.9,180.0,M,-33.0,M,,");
    h.feed("GPRMC,202544,A,3945.000,N,08936.000,W,10.0,90.0,071226,,,A");
  }
  EXPECT_TRUE(h.tracker.stale(40'000)) << "one second repeated for 40 s is no fix";
  const auto reported = h.fixes.size();
  h.now = 41'000;
  h.feed("GPRMC,202625,V,,,,,,,071226,,,N");
  h.feed("GPGGA,202625,,,,,0,00,,,M,,M,,");
  h.flush();
  for (std::size_t i = reported; i < h.fixes.size(); ++i)
    EXPECT_FALSE(h.fixes[i].lat.has_value()) << "the frozen position reported again as new";
}

TEST(FixTracker, AMovingReceiverStaysFreshEpochByEpoch) {
  Harness h(TrackerOptions{"", 5});
  for (int i = 0; i < 40; ++i) {
    h.now = 1'000 * i;
    char gga[96], rmc[96];
    std::snprintf(gga, sizeof gga, "GPGGA,1000%02d,3945.000,N,08936.000,W,1,08,0.9,180.0,M,-33.0,M,,", i);
    std::snprintf(rmc, sizeof rmc, "GPRMC,1000%02d,A,3945.000,N,08936.000,W,10.0,90.0,071226,,,A", i);
    h.feed(gga);
    h.feed(rmc);
    EXPECT_FALSE(h.tracker.stale(h.now + 4'000)) << i;
  }
}

TEST(FixTracker, FlushOnEmptyTrackerEmitsNothing) {
  Harness h;
  h.flush();
  EXPECT_TRUE(h.fixes.empty());
}

}  // namespace
}  // namespace mdtc::gps
