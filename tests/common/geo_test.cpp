#include <gtest/gtest.h>

#include "mdtc/geo.h"

namespace mdtc {
namespace {

TEST(Geo, DistanceIsTheGreatCircleInMetres) {
  EXPECT_DOUBLE_EQ(distance_m(39.8, -89.6, 39.8, -89.6), 0.0);
  // One degree of latitude is about 111.2 km on the mean radius.
  EXPECT_NEAR(distance_m(39.0, -89.6, 40.0, -89.6), 111195, 1);
  EXPECT_NEAR(distance_m(0, 179.9, 0, -179.9), 22239, 1);  // across the date line
  EXPECT_NEAR(distance_m(90, 0, -90, 0), 20015114, 1);      // pole to pole, no NaN
}

}  // namespace
}  // namespace mdtc
