#include "coresponder_panels.h"

#include <gtest/gtest.h>

#include "fake_ports.h"

namespace mdtc::plugin {
namespace {

const IncidentSummary kIncident{"I-1", "WELFARE CHECK", 2, "1208 N MAPLE ST APT 3B"};

bool has_action(const PanelDocument& d, const std::string& id) {
  for (const auto& a : d.actions)
    if (a.id == id) return true;
  return false;
}

TEST(RequestPanel, ReadyOffersOneTapRequest) {
  RequestView v;
  v.reason_names = {"Autism"};
  auto d = build_request_panel(kIncident, v);
  EXPECT_EQ(d.id, "coresponder:I-1");
  EXPECT_TRUE(has_action(d, "request_coresponder"));
  EXPECT_NE(d.to_json().find("Autism"), std::string::npos);
}

TEST(RequestPanel, DeclinedShowsFallbackAndAskAgain) {
  RequestView v;
  v.phase = RequestPhase::declined;
  v.fallback = "Mobile crisis line 555-0199";
  auto d = build_request_panel(kIncident, v);
  EXPECT_NE(d.to_json().find("555-0199"), std::string::npos);
  EXPECT_TRUE(has_action(d, "request_coresponder"));
  EXPECT_EQ(d.severity, Severity::warning);
}

TEST(RequestPanel, NoCoresponderSaysNobodyIsFreeNotThatNobodyIsOnDuty) {
  RequestView v;
  v.phase = RequestPhase::no_coresponder;
  EXPECT_NE(build_request_panel(kIncident, v).to_json().find("No clinician unit free now"),
            std::string::npos);
}

TEST(RequestPanel, NextStepsShowQuietlyAfterTheListWhileSomeoneCanCome) {
  RequestView v;
  v.phase = RequestPhase::sent;
  v.fallback = "Mobile crisis line 555-0199";
  v.crisis_line_uri = "tel:988";
  v.schedule_configured = true;
  v.on_duty = {{"CR7", "CR-7", std::nullopt, std::nullopt, Standing::available}};
  auto d = build_request_panel(kIncident, v);
  ASSERT_EQ(d.sections.back().id, "next_step");
  EXPECT_EQ(d.sections.back().severity, Severity::info);
  EXPECT_EQ(d.severity, Severity::info);
  EXPECT_NE(d.to_json().find("555-0199"), std::string::npos);
  EXPECT_TRUE(has_action(d, "cancel_request"));
  EXPECT_TRUE(has_action(d, "handoff_crisis_line"));
}

TEST(RequestPanel, ABusyUnitPastItsFreeTimeIsNotShownAsFreeNow) {
  RequestView v;
  v.live_states = true;
  OnDutyUnit late{"CR7", "CR-7", std::nullopt, std::nullopt, Standing::busy};
  late.free_in_min = 0;
  OnDutyUnit soon{"CR9", "CR-9", std::nullopt, std::nullopt, Standing::busy};
  soon.free_in_min = 20;
  v.on_duty = {late, soon};
  const std::string p = build_request_panel(kIncident, v).to_json();
  EXPECT_NE(p.find("Busy - was due free by now"), std::string::npos) << p;
  EXPECT_NE(p.find("Busy - free in about 20 min"), std::string::npos);
  // Nobody available: the next steps lead.
  EXPECT_LT(p.find(R"("id":"next_step")"), p.find(R"("id":"request")"));
}

// Found from outside: the fallback was shown twice, once among the next
// steps and once under the request's status.
TEST(RequestPanel, AFailedRequestShowsTheFallbackOnceAmongTheNextSteps) {
  for (RequestPhase phase : {RequestPhase::declined, RequestPhase::no_coresponder, RequestPhase::timed_out}) {
    RequestView v;
    v.phase = phase;
    v.fallback = "Mobile crisis line 555-0199";
    const std::string p = build_request_panel(kIncident, v).to_json();
    const auto first = p.find("555-0199");
    ASSERT_NE(first, std::string::npos) << to_string(phase);
    EXPECT_EQ(p.find("555-0199", first + 1), std::string::npos) << to_string(phase) << ": " << p;
    EXPECT_LT(p.find(R"("id":"next_step")"), first);
  }
}

TEST(RequestPanel, WithNoStepConfiguredTheNextStepsStillNameOne) {
  RequestView v;
  v.phase = RequestPhase::declined;
  v.crisis_line_uri.clear();
  const PanelDocument d = build_request_panel(kIncident, v);
  ASSERT_EQ(d.sections.at(1).id, "next_step");
  EXPECT_NE(d.to_json().find("Ask dispatch by radio"), std::string::npos) << d.to_json();
}

// Found from outside: with a stale limit under a minute, a unit silent for
// 40 s read "No word for 0 min", which says "just heard from".
TEST(RequestPanel, AStaleUnitSaysHowLongItHasBeenSilentInSecondsUnderAMinute) {
  RequestView v;
  v.live_states = true;
  OnDutyUnit quiet{"CR7", "CR-7", std::nullopt, std::nullopt, Standing::stale};
  quiet.last_state = "available";
  quiet.silent_s = 40;
  OnDutyUnit long_quiet{"CR9", "CR-9", std::nullopt, std::nullopt, Standing::stale};
  long_quiet.last_state = "busy";
  long_quiet.silent_s = 11 * 60 + 59;
  v.on_duty = {quiet, long_quiet};
  const std::string p = build_request_panel(kIncident, v).to_json();
  EXPECT_NE(p.find("No word for 40 s (last said available)"), std::string::npos) << p;
  EXPECT_NE(p.find("No word for 11 min (last said busy)"), std::string::npos) << p;
}

TEST(RequestReasons, OnlyCareCodesVisibleToEveryoneAreReasons) {
  auto m = test::flagged_premise();
  auto reasons = request_reasons(m);
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_EQ(reasons[0]->code, "AUTISM");
}

TEST(OfferPanel, ShowsDistanceAndClinicianDetail) {
  OfferView o;
  o.request_id = "R-1";
  o.incident_id = "I-1";
  o.from_unit = "2A31";
  o.address = "1208 N MAPLE ST APT 3B";
  o.distance_m = 2150;
  o.eta_s = 196;
  auto d = build_offer_panel(o, test::flagged_premise());
  const auto json = d.to_json();
  EXPECT_NE(json.find("2.1 km, about 4 min"), std::string::npos) << json;
  EXPECT_NE(json.find("Dr. A"), std::string::npos);
  EXPECT_TRUE(has_action(d, "accept"));
  EXPECT_TRUE(has_action(d, "decline"));
}

TEST(OfferPanel, TakenOfferOnlyDismisses) {
  OfferView o;
  o.request_id = "R-1";
  o.phase = OfferPhase::taken;
  auto d = build_offer_panel(o, {});
  EXPECT_FALSE(has_action(d, "accept"));
  EXPECT_TRUE(has_action(d, "dismiss"));
}

}  // namespace
}  // namespace mdtc::plugin
