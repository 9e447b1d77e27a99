#include "action_payload.h"

#include <gtest/gtest.h>

namespace mdtc::plugin {
namespace {

TEST(ActionPayload, MembersReadAsTextAndNumbersAsTheirDigits) {
  const auto f = action_fields(R"({"note":"Follow-up booked","free_in_min":30,"contact_type":"in_person","gone":null})");
  EXPECT_EQ(field(f, "note"), "Follow-up booked");
  EXPECT_EQ(field(f, "free_in_min"), "30");
  EXPECT_EQ(field(f, "contact_type"), "in_person");
  EXPECT_EQ(f.count("gone"), 0u);
  EXPECT_EQ(field(f, "absent"), "");
}

TEST(ActionPayload, NothingOrNotAnObjectGivesNoFields) {
  EXPECT_TRUE(action_fields("").empty());
  EXPECT_TRUE(action_fields("not json").empty());
  EXPECT_TRUE(action_fields("[1,2]").empty());
}

}  // namespace
}  // namespace mdtc::plugin
