// The program's figures over a generated month whose medians, 90th
// percentiles and counts are known by construction.
#include "outcome_summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

namespace mdtc::plugin {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kNov1 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

// Request d (0..29) on day d at hour d % 24; on scene after d + 1 minutes;
// the officer released after 10 * (d + 1) minutes on even days only;
// disposition cycles through the six codes and unknown; every fifth
// request nobody accepted. Shuffled, so order cannot matter.
std::vector<Outcome> month() {
  const char* dispositions[] = {"resolved_on_scene", "voluntary_transport", "involuntary_hold", "arrest",
                                "referral_made",     "connected_to_services", "unknown"};
  std::vector<Outcome> out;
  for (int d = 0; d < 30; ++d) {
    Outcome o;
    o.request_id = "R-" + std::to_string(d);
    const int64_t t = kNov1 + d * kDay + (d % 24) * kHour;
    o.time(OutcomeStep::requested) = t;
    if (d % 5 != 0) o.time(OutcomeStep::accepted) = t + kMin / 2;
    o.time(OutcomeStep::on_scene) = t + (d + 1) * kMin;
    if (d % 2 == 0) o.time(OutcomeStep::officer_released) = t + 10 * (d + 1) * kMin;
    o.codes["disposition"] = dispositions[d % 7];
    out.push_back(o);
  }
  std::shuffle(out.begin(), out.end(), std::mt19937(7));
  return out;
}

TEST(OutcomeSummary, MedianAndP90OfAGeneratedMonth) {
  const auto s = summarize(month());
  EXPECT_EQ(s.records, 30u);
  EXPECT_EQ(s.request_to_on_scene.count, 30u);
  EXPECT_DOUBLE_EQ(*s.request_to_on_scene.median_s, 15.5 * 60);  // mean of the 15th and 16th
  EXPECT_DOUBLE_EQ(*s.request_to_on_scene.p90_s, 27 * 60);        // rank ceil(27) = 27
  EXPECT_EQ(s.request_to_officer_released.count, 15u);
  EXPECT_DOUBLE_EQ(*s.request_to_officer_released.median_s, 150 * 60);  // the 8th of 15
  EXPECT_DOUBLE_EQ(*s.request_to_officer_released.p90_s, 270 * 60);     // rank ceil(13.5) = 14
}

TEST(OutcomeSummary, CountsEveryDispositionAndTheDiversionRate) {
  const auto s = summarize(month());
  const std::vector<std::pair<std::string, std::size_t>> expected = {
      {"resolved_on_scene", 5}, {"voluntary_transport", 5}, {"involuntary_hold", 4}, {"arrest", 4},
      {"referral_made", 4},     {"connected_to_services", 4}, {"unknown", 4}};
  EXPECT_EQ(s.by_disposition, expected);
  EXPECT_EQ(s.diverted, 18u);
  EXPECT_EQ(s.held_or_arrested, 8u);
  EXPECT_DOUBLE_EQ(*s.diversion_rate, 18.0 / 26.0);
}

TEST(OutcomeSummary, AnsweredAndUnansweredByHourOfTheRequest) {
  const auto s = summarize(month());
  // Unanswered: d = 0, 5, 10, 15, 20, 25 at hours 0, 5, 10, 15, 20, 1.
  for (int h : {0, 5, 10, 15, 20, 1}) EXPECT_EQ(s.unanswered[h], 1u) << h;
  std::size_t answered = 0, unanswered = 0;
  for (int h = 0; h < 24; ++h) {
    answered += s.answered[h];
    unanswered += s.unanswered[h];
  }
  EXPECT_EQ(answered, 24u);
  EXPECT_EQ(unanswered, 6u);
  EXPECT_EQ(s.answered[1], 1u);  // d = 1 at hour 1 was answered, d = 25 was not
}

TEST(OutcomeSummary, StepsBeforeTheRequestAndUnknownCodesAreNotMiscounted) {
  Outcome o;
  o.time(OutcomeStep::requested) = kNov1 + 10 * kMin;
  o.time(OutcomeStep::on_scene) = kNov1;  // another car's clock behind
  o.codes["disposition"] = "went_home";   // a code from a later version
  const auto s = summarize({o});
  EXPECT_EQ(s.request_to_on_scene.count, 0u);
  EXPECT_EQ(s.by_disposition.back(), (std::pair<std::string, std::size_t>{"unknown", 1}));
  EXPECT_FALSE(s.diversion_rate);
}

TEST(OutcomeSummary, ClinicianFileWithoutTheOfficersTimeCountsFromTheOffer) {
  Outcome o;
  o.time(OutcomeStep::offered) = kNov1 + 3 * kHour;
  o.time(OutcomeStep::on_scene) = kNov1 + 3 * kHour + 20 * kMin;
  const auto s = summarize({o});
  EXPECT_DOUBLE_EQ(*s.request_to_on_scene.median_s, 20 * 60);
  EXPECT_EQ(s.unanswered[3], 1u);
}

TEST(DurationStats, NearestRankP90AndMiddleMedian) {
  EXPECT_EQ(duration_stats({}).count, 0u);
  EXPECT_FALSE(duration_stats({}).median_s);
  const auto one = duration_stats({42});
  EXPECT_DOUBLE_EQ(*one.median_s, 42);
  EXPECT_DOUBLE_EQ(*one.p90_s, 42);
  const auto ten = duration_stats({10, 9, 8, 7, 6, 5, 4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(*ten.median_s, 5.5);
  EXPECT_DOUBLE_EQ(*ten.p90_s, 9);
}

TEST(OutcomeSummaryText, StatesTheFiguresInWords) {
  std::ostringstream out;
  write_summary_text(summarize(month()), out);
  const std::string text = out.str();
  EXPECT_NE(text.find("requests with a record: 30"), std::string::npos) << text;
  EXPECT_NE(text.find("diversion rate: 69.2% (18 diverted, 8 hold or arrest)"), std::string::npos) << text;
  EXPECT_NE(text.find("request to on scene: median 15.5 min, 90th percentile 27.0 min (30 requests)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  10:00  0 / 1"), std::string::npos) << text;
}

TEST(OutcomeSummaryText, SaysSoWhenNothingIsKnown) {
  std::ostringstream out;
  write_summary_text(summarize({}), out);
  EXPECT_NE(out.str().find("diversion rate: - (no record with a known disposition)"), std::string::npos);
  EXPECT_NE(out.str().find("request to officer released: no records with both times"), std::string::npos);
}

TEST(OutcomeSummaryJson, CarriesTheSameFigures) {
  std::ostringstream out;
  write_summary_json(summarize(month()), out);
  const std::string json = out.str();
  EXPECT_NE(json.find("\"records\":30"), std::string::npos) << json;
  EXPECT_NE(json.find("\"median_s\":930"), std::string::npos) << json;
  EXPECT_NE(json.find("\"p90_s\":1620"), std::string::npos) << json;
  EXPECT_NE(json.find("\"arrest\":4"), std::string::npos) << json;
}

}  // namespace
}  // namespace mdtc::plugin
