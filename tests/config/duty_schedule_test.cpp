#include <gtest/gtest.h>

#include <fstream>

#include "mdtc/config.h"
#include "temp_dir.h"

namespace mdtc::config {
namespace {

// A unit's identity is required; appended so line numbers in messages hold.
const std::string kIdentity = "[unit]\nid = 2A31\nrole = patrol\n";

constexpr int Mon = 0, Fri = 4, Sat = 5, Sun = 6;
int at(int h, int m = 0) { return h * 60 + m; }

std::vector<std::string> units(const std::vector<DutyShift>& s, int day, int minute) {
  std::vector<std::string> out;
  for (const auto* shift : on_duty(s, day, minute)) out.push_back(shift->unit);
  return out;
}

std::vector<DutyShift> parse_ok(const std::string& text) {
  auto r = parse_duty_schedule(text, "roster.txt");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::vector<DutyShift>{};
}

TEST(DutySchedule, ParsesShiftsWithNamesCommentsAndBlankLines) {
  auto s = parse_ok("# unit | days | hours | name\n\nCR-7 | Mon-Fri | 08:00-20:00 | CR-7 (Clinician)\r\n"
                    "; night\nCR-9|sat,SUN|20:00-08:00\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].unit, "CR-7");
  EXPECT_EQ(s[0].name, "CR-7 (Clinician)");
  EXPECT_EQ(s[0].days, 0x1Fu);
  EXPECT_EQ(s[0].start_min, at(8));
  EXPECT_EQ(s[0].end_min, at(20));
  EXPECT_EQ(s[0].line, 3);
  EXPECT_EQ(s[1].name, "");
  EXPECT_EQ(s[1].days, (1u << Sat) | (1u << Sun));
}

TEST(DutySchedule, DayShiftCoversOnlyItsHoursOnItsDays) {
  auto s = parse_ok("CR-7 | Mon-Fri | 08:00-20:00\n");
  EXPECT_EQ(units(s, Mon, at(8)), std::vector<std::string>{"CR-7"});
  EXPECT_EQ(units(s, Fri, at(19, 59)), std::vector<std::string>{"CR-7"});
  EXPECT_TRUE(units(s, Mon, at(7, 59)).empty());
  EXPECT_TRUE(units(s, Mon, at(20)).empty());
  EXPECT_TRUE(units(s, Sat, at(12)).empty());
}

TEST(DutySchedule, OvernightShiftRunsIntoTheNextMorning) {
  auto s = parse_ok("CR-9 | Fri-Sun | 20:00-08:00\n");
  EXPECT_EQ(units(s, Fri, at(23)), std::vector<std::string>{"CR-9"});
  EXPECT_EQ(units(s, Sat, at(3)), std::vector<std::string>{"CR-9"});   // Friday's shift
  EXPECT_EQ(units(s, Mon, at(7, 59)), std::vector<std::string>{"CR-9"});  // Sunday's shift
  EXPECT_TRUE(units(s, Mon, at(8)).empty());
  EXPECT_TRUE(units(s, Fri, at(3)).empty());  // Thursday has no shift
  EXPECT_TRUE(units(s, Fri, at(19, 59)).empty());
}

TEST(DutySchedule, WrappingRangesAndAllDayShifts) {
  auto s = parse_ok("CR-1 | Sat-Mon | 00:00-24:00\nCR-2 | Daily | 06:00-06:00\n");
  EXPECT_EQ(s[0].days, (1u << Sat) | (1u << Sun) | (1u << Mon));
  EXPECT_EQ(units(s, Sun, 0), (std::vector<std::string>{"CR-1", "CR-2"}));
  EXPECT_EQ(units(s, Sun, at(23, 59)), (std::vector<std::string>{"CR-1", "CR-2"}));
  EXPECT_EQ(units(s, 1 /*Tue*/, at(12)), std::vector<std::string>{"CR-2"});
}

TEST(DutySchedule, AUnitWithTwoOverlappingShiftsIsListedOnce) {
  auto s = parse_ok("CR-7 | Mon | 08:00-20:00 | day\nCR-7 | Mon | 12:00-22:00 | late\n");
  EXPECT_EQ(units(s, Mon, at(13)), std::vector<std::string>{"CR-7"});
}

TEST(DutySchedule, ErrorsNameTheFileTheLineAndWhatWasExpected) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : {
           Case{"CR-7 | Mon-Fri | 08:00-20:00\nCR-9 | Mon-Fry | 08:00-20:00\n", "roster.txt:2: days \"Mon-Fry\""},
           Case{"CR-7 | Mon | 8:00-20:00\n", "roster.txt:1: hours \"8:00-20:00\""},
           Case{"CR-7 | Mon | 08:00-24:30\n", "roster.txt:1: hours"},
           Case{"CR-7 | Mon | 24:00-08:00\n", "roster.txt:1: hours"},
           Case{"CR-7 | Mon | 08:60-20:00\n", "roster.txt:1: hours"},
           Case{"CR 7 | Mon | 08:00-20:00\n", "roster.txt:1: unit \"CR 7\""},
           Case{"CR-7 Mon 08:00-20:00\n", "roster.txt:1: expected UNIT | DAYS"},
           Case{"CR-7 | Mon | 08:00-20:00 | a | b\n", "roster.txt:1: expected UNIT | DAYS"},
           Case{"CR-7 | Mon,,Tue | 08:00-20:00\n", "roster.txt:1: days"},
       }) {
    auto r = parse_duty_schedule(c.text, "roster.txt");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().code, "config.bad_schedule");
    EXPECT_EQ(r.error().message.rfind(c.expected, 0), 0u) << r.error().message;
  }
}

TEST(DutySchedule, EveryBadLineIsReportedNotOnlyTheFirst) {
  auto r = parse_duty_schedule(
      "CR-7 | Mon-Fri | 08:00-20:00\nCR-9 | Someday | 08:00-20:00\n# fine\nCR 11 | Daily | 8-20\nCR-12 | Mon\n",
      "roster.txt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "roster.txt:2: days \"Someday\": expected Mon..Sun, ranges and lists such as Mon-Fri or Sat,Sun, or Daily\n"
            "roster.txt:4: unit \"CR 11\": expected 1 to 32 letters, digits, '-' or '_'\n"
            "roster.txt:4: hours \"8-20\": expected HH:MM-HH:MM, such as 08:00-20:00 or 20:00-08:00\n"
            "roster.txt:5: expected UNIT | DAYS | HH:MM-HH:MM | NAME (the name may be left out)");
}

TEST(DutySchedule, LoaderReadsTheFileAndRefusesABadOne) {
  test::TempDir dir;
  const std::string good = dir.path() + "/good.txt", bad = dir.path() + "/bad.txt";
  std::ofstream(good) << "CR-7 | Mon-Fri | 08:00-20:00 | CR-7 (Clinician)\n";
  std::ofstream(bad) << "CR-7 | Mon-Fri | 08:00-20:00\nCR-9 | Someday | 08:00-20:00\n";

  auto ok = load_text("[coresponder]\nschedule_file = " + good + "\n" + kIdentity, "unit.ini");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  ASSERT_EQ(ok->coresponder_schedule.size(), 1u);
  EXPECT_EQ(ok->coresponder_schedule[0].unit, "CR-7");

  Report report = check_text("[coresponder]\nschedule_file = " + bad + "\n" + kIdentity, "unit.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].code, "config.bad_schedule");
  EXPECT_EQ(report.problems[0].key, "coresponder.schedule_file");
  EXPECT_NE(report.problems[0].message.find(bad + ":2: days \"Someday\""), std::string::npos)
      << report.problems[0].message;

  Report missing = check_text("[coresponder]\nschedule_file = " + dir.path() + "/none.txt\n" + kIdentity, "unit.ini");
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_EQ(missing.problems[0].code, "config.missing_file");
  EXPECT_EQ(missing.problems[0].message.rfind("config unit.ini:2: coresponder.schedule_file = ", 0), 0u)
      << missing.problems[0].message;
}

TEST(AutoRequestRules, ParsesCallTypesAndCodesCanonically) {
  auto r = parse_auto_request_rules("Mental  Health crisis ; welfare check + dementia,AUTISM; * + SUICIDE_RISK;");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].call_type, "MENTAL HEALTH CRISIS");
  EXPECT_TRUE((*r)[0].codes.empty());
  EXPECT_EQ((*r)[1].call_type, "WELFARE CHECK");
  EXPECT_EQ((*r)[1].codes, (std::vector<std::string>{"DEMENTIA", "AUTISM"}));
  EXPECT_EQ((*r)[2].call_type, "*");
  EXPECT_TRUE(parse_auto_request_rules("").ok());
  EXPECT_TRUE(parse_auto_request_rules("")->empty());
}

TEST(AutoRequestRules, RefusesRulesThatCannotMeanWhatWasIntended) {
  for (const char* text : {"*", "+ AUTISM", "WELFARE CHECK +", "WELFARE CHECK + AUT ISM", "X + A,,B"}) {
    auto r = parse_auto_request_rules(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().code, "config.bad_rule") << text;
  }
  Report report = check_text("[coresponder]\nauto_request = *\n" + kIdentity, "fleet.ini");
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].key, "coresponder.auto_request");
}

}  // namespace
}  // namespace mdtc::config
