#include "motion_state.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

namespace mdtc::plugin {
namespace {

constexpr double kmh(double v) { return v / 3.6; }

MotionTracker tracker() { return MotionTracker(MotionOptions{24, 10, 10}); }

TEST(MotionTracker, NoFixIsNotMovingAndSaysSo) {
  auto t = tracker();
  const auto m = t.state(1000);
  EXPECT_FALSE(m.moving);
  EXPECT_EQ(m.gps, "none");
}

TEST(MotionTracker, AtTheLockSpeedIsMovingBelowIsNot) {
  auto t = tracker();
  t.on_fix(kmh(23.9), 1000);
  EXPECT_FALSE(t.state(1000).moving);
  t.on_fix(kmh(24), 2000);
  EXPECT_TRUE(t.state(2000).moving);
  EXPECT_EQ(t.state(2000).gps, "fresh");
}

TEST(MotionTracker, StaysLockedUntilStoppedForUnlockAfter) {
  auto t = tracker();
  t.on_fix(kmh(60), 0);
  t.on_fix(kmh(0), 1000);  // a red light
  EXPECT_TRUE(t.state(1000).moving);
  t.on_fix(kmh(0), 9000);
  EXPECT_TRUE(t.state(9999).moving);
  EXPECT_FALSE(t.state(10000).moving);
}

TEST(MotionTracker, AStaleFixNeverLocksTheScreen) {
  auto t = tracker();
  t.on_fix(kmh(80), 0);
  EXPECT_TRUE(t.state(10000).moving);
  const auto m = t.state(10001);
  EXPECT_FALSE(m.moving);
  EXPECT_EQ(m.gps, "stale");
}

TEST(MotionTracker, AFixWithoutSpeedChangesNothing) {
  auto t = tracker();
  t.on_fix(kmh(80), 0);
  t.on_fix(std::nullopt, 9000);
  EXPECT_EQ(t.state(10001).gps, "stale");
}

TEST(MotionTracker, UnlockAfterZeroUnlocksAtTheFirstSlowFix) {
  MotionTracker t(MotionOptions{24, 0, 10});
  t.on_fix(kmh(50), 0);
  EXPECT_TRUE(t.state(500).moving);
  t.on_fix(kmh(5), 1000);
  EXPECT_FALSE(t.state(1000).moving);
}

TEST(PanelDocument, MotionIsAnOptionalMemberOfVersionOne) {
  PanelDocument doc;
  doc.id = "premise:I-1";
  doc.kind = "premise";
  doc.title = "T";
  EXPECT_EQ(doc.to_json().find("motion"), std::string::npos);
  doc.motion = PanelMotion{true, "fresh", 24, 10};
  const std::string json = doc.to_json();
  EXPECT_NE(json.find(R"("v":1)"), std::string::npos);
  EXPECT_NE(json.find(R"("motion":{"moving":true,"gps":"fresh","lock_speed_kmh":24,"unlock_after_s":10})"),
            std::string::npos) << json;
}

// The panel's text is written by hand for speed: it must still be JSON a
// strict parser takes, whatever the registry and CAD put in its strings.
TEST(PanelDocument, TextIsValidJsonForAnyStringsAndReadsBackTheSame) {
  PanelDocument doc;
  doc.id = "premise:I-\"1\"";
  doc.kind = "premise";
  doc.title = "PREMISE HISTORY";
  doc.subtitle = "WELFARE CHECK - 12 O'BRIEN ST \\ REAR\n\t\x01";
  doc.sections.push_back({"safety", "SAFETY", Severity::danger, "", {{"Weapons", "Latin-1 caf\xe9, UTF-8 caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x93", Severity::danger, "WEAPONS", "F-1"}}});
  doc.sections.push_back({"care", "CARE", Severity::caution, "notice", {}});
  doc.actions.push_back({"dismiss", "Dismiss", "default"});
  doc.inputs.push_back({"outcome", "Outcome", "", {{"a", "A"}, {"b", "B \xed\xa0\x80"}}});
  doc.motion = PanelMotion{false, "none", 24.5, 10};
  const std::string text = doc.to_json();
  Poco::JSON::Parser parser;
  Poco::JSON::Object::Ptr o;
  ASSERT_NO_THROW(o = parser.parse(text).extract<Poco::JSON::Object::Ptr>()) << text;
  EXPECT_EQ(o->getValue<int>("v"), 1);
  EXPECT_EQ(o->getValue<std::string>("id"), doc.id);
  EXPECT_EQ(o->getValue<std::string>("subtitle"), doc.subtitle);
  EXPECT_FALSE(o->has("incident_id")) << "empty optional members are left out";
  auto sections = o->getArray("sections");
  ASSERT_EQ(sections->size(), 2u);
  auto field = sections->getObject(0)->getArray("fields")->getObject(0);
  // Bytes that are not UTF-8 (a lone Latin-1 byte, a surrogate) read U+FFFD; the rest stays.
  EXPECT_EQ(field->getValue<std::string>("value"),
            "Latin-1 caf\xef\xbf\xbd, UTF-8 caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x93");
  EXPECT_EQ(field->getValue<std::string>("flag_id"), "F-1");
  EXPECT_EQ(sections->getObject(1)->getArray("fields")->size(), 0u);
  EXPECT_EQ(sections->getObject(1)->getValue<std::string>("notice"), "notice");
  EXPECT_EQ(o->getArray("inputs")->getObject(0)->getArray("options")->getObject(1)->getValue<std::string>("label"),
            "B \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(o->getArray("actions")->getObject(0)->getValue<std::string>("style"), "default");
  auto motion = o->getObject("motion");
  EXPECT_FALSE(motion->getValue<bool>("moving"));
  EXPECT_DOUBLE_EQ(motion->getValue<double>("lock_speed_kmh"), 24.5);
}

}  // namespace
}  // namespace mdtc::plugin
