#include <gtest/gtest.h>

#include <set>

#include "mdtc/civic_address.h"

namespace mdtc {
namespace {

TEST(CivicAddress, OneLineAsCadPrintsIt) {
  CivicAddress c;
  c.hno = "1208";
  c.hns = "1/2";
  c.prd = "N";
  c.rd = "MAPLE";
  c.sts = "ST";
  c.unit = "3B";
  c.a3 = "SPRINGFIELD";
  c.a1 = "IL";
  EXPECT_EQ(civic_line(c), "1208 1/2 N MAPLE ST #3B, SPRINGFIELD IL");
  EXPECT_EQ(civic_line(CivicAddress{}), "");
  CivicAddress place_only;
  place_only.a3 = "SPRINGFIELD";
  EXPECT_EQ(civic_line(place_only), "SPRINGFIELD");
}

TEST(CivicAddress, EveryElementHasOneNameAndEveryNameOneElement) {
  const CivicAddress c;
  std::set<std::string_view> names;
  std::set<const std::string*> members;  // member pointers do not order; their places in one object do
  for (const auto& e : kCivicElements) {
    EXPECT_TRUE(names.insert(e.name).second) << e.name;
    EXPECT_TRUE(members.insert(&(c.*e.member)).second) << e.name;
  }
  EXPECT_EQ(members.size(), 14u);  // every member of CivicAddress
}

}  // namespace
}  // namespace mdtc
