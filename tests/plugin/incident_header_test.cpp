#include "incident_header.h"

#include <gtest/gtest.h>

#include "coresponder_panels.h"
#include "fake_ports.h"

namespace mdtc::plugin {
namespace {

IncidentSummary incident(bool restored) {
  IncidentSummary s;
  s.id = "I-1";
  s.call_type = "WELFARE CHECK";
  s.address = "1208 N MAPLE ST APT 3B";
  s.dispatched_ms = 1795341600000 + 59999;  // 2026-11-22T10:00:59.999Z
  s.restored = restored;
  return s;
}

TEST(IncidentHeader, NamesTheIncidentAndWhenItWasDispatched) {
  const PanelSection s = incident_section(incident(false));
  EXPECT_EQ(s.id, "incident");
  ASSERT_EQ(s.fields.size(), 2u);
  EXPECT_EQ(s.fields[0].label, "Incident");
  EXPECT_EQ(s.fields[0].value, "I-1");
  EXPECT_EQ(s.fields[1].label, "Dispatched");
  EXPECT_EQ(s.fields[1].value, "2026-11-22 10:00 UTC");
  EXPECT_EQ(s.severity, Severity::info);
}

TEST(IncidentHeader, RestoredIncidentSaysSoWithItsDispatchTime) {
  const PanelSection s = incident_section(incident(true));
  ASSERT_EQ(s.fields.size(), 3u);
  EXPECT_EQ(s.fields[2].label, "Restored");
  EXPECT_EQ(s.fields[2].value, "Shown again after an MDT restart - call dispatched 2026-11-22 10:00 UTC");
  EXPECT_EQ(s.severity, Severity::caution);
}

TEST(IncidentHeader, UnknownDispatchTimeIsSaidNotLeftBlank) {
  IncidentSummary s = incident(false);
  s.dispatched_ms.reset();
  EXPECT_EQ(incident_section(s).fields[1].value, "not known");
}

TEST(IncidentHeader, PremiseAndRequestPanelsBothStartWithIt) {
  const auto premise = build_premise_panel(config::Role::patrol, incident(true), test::flagged_premise());
  ASSERT_TRUE(premise.show);
  ASSERT_FALSE(premise.doc.sections.empty());
  EXPECT_EQ(premise.doc.sections.front().id, "incident");
  const auto request = build_request_panel(incident(true), RequestView{});
  ASSERT_FALSE(request.sections.empty());
  EXPECT_EQ(request.sections.front().id, "incident");
}

TEST(IncidentHeader, SaysHowFarTheCallIsFromThisCarWhenKnown) {
  IncidentSummary s = incident(false);
  EXPECT_EQ(incident_section(s).fields.size(), 2u) << "no distance without a position";
  s.distance_m = 2240;
  const PanelSection with = incident_section(s);
  ASSERT_EQ(with.fields.size(), 3u);
  EXPECT_EQ(with.fields[2].label, "Distance");
  EXPECT_EQ(with.fields[2].value, "2.2 km from this car");
}

}  // namespace
}  // namespace mdtc::plugin
