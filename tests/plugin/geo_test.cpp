#include "geo.h"

#include <gtest/gtest.h>

namespace mdtc::plugin {
namespace {

TEST(Geo, OneDegreeOfLatitudeIsAbout111Km) {
  EXPECT_NEAR(distance_m({39.0, -89.0}, {40.0, -89.0}), 111'195, 50);
}

TEST(Geo, SamePointIsZero) { EXPECT_DOUBLE_EQ(distance_m({39.8, -89.6}, {39.8, -89.6}), 0.0); }

TEST(Geo, EtaHasAOneMinuteFloor) {
  EXPECT_EQ(eta_seconds(10), 60);
  EXPECT_EQ(eta_seconds(11'000, 11.0), 1000);
}

}  // namespace
}  // namespace mdtc::plugin
