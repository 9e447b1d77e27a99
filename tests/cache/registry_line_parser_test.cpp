#include <gtest/gtest.h>

#include "mdtc/registry_line.h"

namespace mdtc::cache {
namespace {

template <class T>
T parse_as(const std::string& line) {
  auto r = parse_registry_line(line);
  EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok() || !std::holds_alternative<T>(*r)) {
    ADD_FAILURE() << "wrong record type for " << line;
    return T{};
  }
  return std::get<T>(*r);
}

std::string error_code(const std::string& line) {
  auto r = parse_registry_line(line);
  return r.ok() ? "ok" : r.error().code;
}

TEST(RegistryLine, PremiseWithTextAddressAndCoordinates) {
  auto p = parse_as<PremiseRecord>(
      R"({"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL","lat":39.8012,"lon":-89.6437})");
  EXPECT_EQ(p.id, "P-1");
  ASSERT_TRUE(p.address);
  EXPECT_EQ(p.address->display(), "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_DOUBLE_EQ(*p.lat, 39.8012);
}

TEST(RegistryLine, PremiseWithCivic) {
  auto p = parse_as<PremiseRecord>(
      R"({"type":"premise","id":"P-2","civic":{"hno":"17","rd":"OAK","sts":"AVE","a3":"SPRINGFIELD","a1":"IL"}})");
  ASSERT_TRUE(p.address);
  EXPECT_EQ(p.address->display(), "17 OAK AVE, SPRINGFIELD IL");
}

TEST(RegistryLine, FlagFieldsAndAudienceDefaults) {
  auto f = parse_as<FlagRecord>(
      R"({"type":"flag","id":"F-1","subject":"S-1","premise":"P-1","kind":"safety","code":"weapons","note":"n","expires":"2027-06-01"})");
  EXPECT_EQ(f.code, "WEAPONS");
  EXPECT_EQ(f.audience, "all");
  EXPECT_TRUE(f.audience_defaulted);
  auto c = parse_as<FlagRecord>(R"({"type":"flag","id":"F-2","premise":"P-1","kind":"care","code":"AUTISM"})");
  EXPECT_EQ(c.audience, "clinician");
}

TEST(RegistryLine, HeaderAndDeleteAndBlank) {
  auto h = parse_as<HeaderRecord>(R"({"type":"header","mode":"snapshot","version":7,"created":"2026-11-22T10:00:00Z"})");
  EXPECT_EQ(h.mode, "snapshot");
  EXPECT_EQ(h.version, 7);
  EXPECT_EQ(parse_as<DeleteRecord>(R"({"type":"delete","id":"F-1"})").id, "F-1");
  EXPECT_TRUE(std::holds_alternative<BlankRecord>(*parse_registry_line("   \r")));
}

TEST(RegistryLine, UnknownFieldsAreIgnored) {
  auto s = parse_as<SubjectRecord>(R"({"type":"subject","id":"S-1","name":"J. Doe","born":"1990","x_new":[1,2]})");
  EXPECT_EQ(s.name, "J. Doe");
}

TEST(RegistryLine, BadLinesGetSpecificErrors) {
  EXPECT_EQ(error_code("not json"), "registry.not_object");
  EXPECT_EQ(error_code("{\"type\":\"flag\""), "registry.bad_json");
  EXPECT_EQ(error_code(R"({"type":"premise"})"), "registry.missing_field");
  EXPECT_EQ(error_code(R"({"type":"wat","id":"1"})"), "registry.unknown_type");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"danger","code":"X"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","audience":"public"})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","expires":"2026-02-30"})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","expires":20270101})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"premise","id":"P","address":"MAPLE ST"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"premise","id":"P","address":"1 ELM ST","lat":91,"lon":0})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"premise","id":"P","address":"1 ELM ST","lat":40})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"history","premise":"P","incident":"I","at":"yesterday"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"header","mode":"full"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"subject","id":"a\u0001b"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":1})"), "registry.bad_field");
  EXPECT_EQ(error_code("[1,2]"), "registry.not_object");
  EXPECT_EQ(error_code(std::string(70000, '{')), "registry.too_long");
}

TEST(RegistryLine, CoordinatesOnlyPremiseIsAccepted) {
  auto p = parse_as<PremiseRecord>(R"({"type":"premise","id":"P-3","lat":39.8,"lon":-89.6})");
  EXPECT_FALSE(p.address);
}

TEST(RegistryLine, Rfc3339Checks) {
  EXPECT_TRUE(is_rfc3339("2026-03-02T10:00:00Z"));
  EXPECT_TRUE(is_rfc3339("2026-03-02T10:00:00.123-05:00"));
  EXPECT_FALSE(is_rfc3339("2026-03-02T25:00:00Z"));
  EXPECT_FALSE(is_rfc3339("2026-03-02"));
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2027-02-29"));
}

}  // namespace
}  // namespace mdtc::cache
