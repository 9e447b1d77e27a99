// The pure value checks behind each key type.
#include "value_rules.h"

#include <gtest/gtest.h>

#include "spelling_suggestion.h"

namespace mdtc::config::detail {
namespace {

TEST(ValueRules, IntegersAreStrict) {
  EXPECT_EQ(parse_integer("42"), 42);
  EXPECT_EQ(parse_integer("+42"), 42);
  EXPECT_EQ(parse_integer("-3"), -3);
  EXPECT_FALSE(parse_integer(""));
  EXPECT_FALSE(parse_integer("4 2"));
  EXPECT_FALSE(parse_integer("42s"));
  EXPECT_FALSE(parse_integer("0x10"));
  EXPECT_FALSE(parse_integer("1.0"));
  EXPECT_FALSE(parse_integer("99999999999999999999"));
}

TEST(ValueRules, NumbersAreFiniteDecimals) {
  EXPECT_EQ(parse_number("50"), 50.0);
  EXPECT_EQ(parse_number("0.25"), 0.25);
  EXPECT_EQ(parse_number("1e3"), 1000.0);
  EXPECT_FALSE(parse_number("inf"));
  EXPECT_FALSE(parse_number("nan"));
  EXPECT_FALSE(parse_number("1e999"));
  EXPECT_FALSE(parse_number("50m"));
  EXPECT_FALSE(parse_number(""));
}

TEST(ValueRules, BooleansAcceptCommonSpellings) {
  for (auto t : {"true", "TRUE", "yes", "On", "1"}) EXPECT_EQ(parse_boolean(t), true) << t;
  for (auto f : {"false", "no", "OFF", "0"}) EXPECT_EQ(parse_boolean(f), false) << f;
  EXPECT_FALSE(parse_boolean("maybe"));
  EXPECT_FALSE(parse_boolean(""));
}

TEST(ValueRules, GpsPortIsEmptyAutoOrAbsolutePath) {
  EXPECT_TRUE(is_gps_port(""));
  EXPECT_TRUE(is_gps_port("auto"));
  EXPECT_TRUE(is_gps_port("/dev/ttyACM0"));
  EXPECT_FALSE(is_gps_port("/"));
  EXPECT_FALSE(is_gps_port("COM3"));
}

TEST(ValueRules, GpsPortTakesTheRoutersTcpAndUdpForms) {
  EXPECT_TRUE(is_gps_port("tcp://192.168.0.1:9001"));
  EXPECT_TRUE(is_gps_port("tcp://router.local:9001"));
  EXPECT_TRUE(is_gps_port("tcp://[fe80::1]:9001"));
  EXPECT_TRUE(is_gps_port("udp://:9001"));
  EXPECT_TRUE(is_gps_port("udp://0.0.0.0:9001"));
  EXPECT_TRUE(is_gps_port("udp://[::]:9001"));
  EXPECT_FALSE(is_gps_port("tcp://:9001"));  // tcp needs the router
  EXPECT_FALSE(is_gps_port("tcp://router"));
  EXPECT_FALSE(is_gps_port("udp://:0"));
  EXPECT_FALSE(is_gps_port("udp://:65536"));
  EXPECT_FALSE(is_gps_port("udp://host"));
  EXPECT_FALSE(is_gps_port("http://router:80"));
}

TEST(ValueRules, BaudIsOneOfTheStandardRatesOrAuto) {
  EXPECT_TRUE(is_baud("115200"));
  EXPECT_TRUE(is_baud("auto"));
  EXPECT_FALSE(is_baud("9601"));
  EXPECT_FALSE(is_baud("AUTO"));
}

TEST(SpellingSuggestion, TranspositionCountsAsOneEdit) {
  EXPECT_EQ(edit_distance("port", "prot"), 1u);
  EXPECT_EQ(edit_distance("hearbeat", "heartbeat"), 1u);
  EXPECT_EQ(edit_distance("Baud", "baud"), 0u);
}

TEST(SpellingSuggestion, FarWordsGetNoSuggestion) {
  EXPECT_EQ(closest("satellites", {"port", "baud", "stale_after_s"}), std::nullopt);
  EXPECT_EQ(closest("id", {"db"}), std::nullopt);
  EXPECT_EQ(closest("bawd", {"port", "baud"}), "baud");
}

}  // namespace
}  // namespace mdtc::config::detail
