// The stub host's check of panel documents against docs/panel-format.md:
// what a strict host refuses, and the sample from the spec accepted.
#include <gtest/gtest.h>

#include <string>

#include "mdtc/panel_host.h"

namespace {

using mdtc::panel::panel_format_error;

const std::string kSample =
    R"({"v":1,"id":"premise:I-1002","kind":"premise","title":"PREMISE HISTORY - SAFETY FLAGS",)"
    R"("subtitle":"WELFARE CHECK","severity":"danger","incident_id":"I-1002",)"
    R"("sections":[{"id":"safety","title":"SAFETY","severity":"danger","notice":"n",)"
    R"("fields":[{"label":"Weapons reported","value":"J. Doe","severity":"danger","code":"WEAPONS","flag_id":"F-1"}]}],)"
    R"("actions":[{"id":"dismiss","label":"Dismiss","style":"default"}]})";

std::string with(std::string doc, const std::string& from, const std::string& to) {
  const auto at = doc.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return doc.replace(at, from.size(), to);
}

TEST(PanelFormat, TheSpecSampleIsValid) { EXPECT_EQ(panel_format_error(kSample), ""); }

TEST(PanelFormat, UnknownMembersAndKindsAreAllowed) {
  EXPECT_EQ(panel_format_error(with(kSample, R"("kind":"premise")", R"("kind":"weather","extra":[1,2])")), "");
}

TEST(PanelFormat, VersionIsRequiredAndMustBeOne) {
  EXPECT_EQ(panel_format_error(with(kSample, R"("v":1,)", "")), R"(v: missing (a version-1 panel says "v":1))");
  EXPECT_EQ(panel_format_error(with(kSample, R"("v":1)", R"("v":2)")), "v: '2': expected 1");
  EXPECT_EQ(panel_format_error(with(kSample, R"("v":1)", R"("v":"1")")), "v: '1': expected 1");
  // Past an int's range (found by fuzz_panel_format): refused, not thrown.
  EXPECT_EQ(panel_format_error(with(kSample, R"("v":1)", R"("v":222222222222221)")),
            "v: '222222222222221': expected 1");
  EXPECT_EQ(panel_format_error(with(kSample, R"("v":1)", R"("v":18446744073709551615)")),
            "v: '18446744073709551615': expected 1");
  EXPECT_EQ(panel_format_error(with(kSample, R"("v":1)", R"("v":-1)")), "v: '-1': expected 1");
}

TEST(PanelFormat, EachWrongMemberIsNamed) {
  EXPECT_EQ(panel_format_error(with(kSample, R"("id":"premise:I-1002",)", "")), "id: missing");
  EXPECT_EQ(panel_format_error(with(kSample, R"("title":"PREMISE HISTORY - SAFETY FLAGS")", R"("title":"")")),
            "title: empty");
  EXPECT_EQ(panel_format_error(with(kSample, R"("severity":"danger","incident_id")", R"("severity":"red","incident_id")")),
            "severity: 'red': expected info, caution, warning or danger");
  EXPECT_EQ(panel_format_error(with(kSample, R"("label":"Weapons reported",)", "")),
            "sections[0].fields[0].label: missing");
  EXPECT_EQ(panel_format_error(with(kSample, R"("code":"WEAPONS")", R"("code":7)")),
            "sections[0].fields[0].code: expected a string");
  EXPECT_EQ(panel_format_error(with(kSample, R"("style":"default")", R"("style":"blink")")),
            "actions[0].style: 'blink': expected primary, danger or default");
  EXPECT_EQ(panel_format_error(with(kSample, R"("actions":[)", R"("actions":7,"x":[)")), "actions: expected an array");
  EXPECT_EQ(panel_format_error(with(kSample, R"("fields":[{)", R"("fields":["x",{)")),
            "sections[0].fields[0]: expected an object");
}

TEST(PanelFormat, InputsAreChoicesWithADefaultAmongThemOrText) {
  const std::string choice =
      R"(,"inputs":[{"id":"age_band","label":"Age","value":"unknown",)"
      R"("options":[{"id":"unknown","label":"Unknown"},{"id":"25_34","label":"25-34"}]},)"
      R"({"id":"note","label":"Note","value":""}]})";
  const std::string doc = kSample.substr(0, kSample.size() - 1) + choice;
  EXPECT_EQ(panel_format_error(doc), "");
  EXPECT_EQ(panel_format_error(with(doc, R"("value":"unknown")", R"("value":"45_54")")),
            "inputs[0].value: '45_54': expected one of its options");
  EXPECT_EQ(panel_format_error(with(doc, R"("label":"Age",)", "")), "inputs[0].label: missing");
  EXPECT_EQ(panel_format_error(with(doc, R"("inputs":[)", R"("inputs":7,"x":[)")), "inputs: expected an array");
}

TEST(PanelFormat, NotAnObjectIsRefused) {
  EXPECT_EQ(panel_format_error("[1]"), "the document is not a JSON object");
  EXPECT_NE(panel_format_error("{"), "");
  EXPECT_NE(panel_format_error(""), "");
}

}  // namespace

namespace {

TEST(PanelFormat, MotionIsCheckedWhenPresent) {
  const std::string moving = R"("actions":[],"motion":{"moving":true,"gps":"fresh","lock_speed_kmh":24})";
  const std::string base = with(kSample, R"("actions":[{"id":"dismiss","label":"Dismiss","style":"default"}])", moving);
  EXPECT_EQ(panel_format_error(base), "");
  EXPECT_EQ(panel_format_error(with(base, R"("moving":true)", R"("moving":"yes")")),
            "motion.moving: expected true or false");
  EXPECT_EQ(panel_format_error(with(base, R"("gps":"fresh")", R"("gps":"old")")),
            "motion.gps: 'old': expected fresh, stale or none");
}

}  // namespace
