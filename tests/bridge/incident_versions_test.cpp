#include "incident_versions.h"

#include <gtest/gtest.h>

using mdtc::bridge::IncidentChange;
using mdtc::bridge::IncidentVerdict;
using mdtc::bridge::IncidentVersion;
using mdtc::bridge::IncidentVersions;

namespace {

IncidentVersion at(std::string epoch, uint64_t seq, std::optional<int64_t> ms, std::string topic = "unit.2A31") {
  return {std::move(epoch), std::move(topic), seq, ms};
}

}  // namespace

TEST(IncidentVersions, FirstNewsAboutAnIncidentApplies) {
  IncidentVersions v;
  EXPECT_EQ(v.offer("I-1", IncidentChange::update, at("e1", 4, 4000)), IncidentVerdict::apply);
  EXPECT_FALSE(v.closed("I-1"));
}

TEST(IncidentVersions, SeqOrdersOneTopicOfOneRunEvenAgainstSentAt) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::assign, at("e1", 5, 1000));
  // The gateway's order wins within its own run and topic.
  EXPECT_EQ(v.offer("I-1", IncidentChange::update, at("e1", 4, 9000)), IncidentVerdict::superseded);
  EXPECT_EQ(v.offer("I-1", IncidentChange::update, at("e1", 6, 500)), IncidentVerdict::apply);
}

TEST(IncidentVersions, SentAtOrdersAcrossGatewayRuns) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::update, at("e2", 1, 3000));
  EXPECT_EQ(v.offer("I-1", IncidentChange::update, at("e1", 9, 2000)), IncidentVerdict::superseded);
  EXPECT_EQ(v.offer("I-1", IncidentChange::update, at("e1", 10, 4000)), IncidentVerdict::apply);
}

TEST(IncidentVersions, CancelLeavesATombstoneThatLateMessagesDoNotReopen) {
  IncidentVersions v;
  EXPECT_EQ(v.offer("I-1", IncidentChange::close, at("e1", 3, 3000)), IncidentVerdict::apply);
  EXPECT_TRUE(v.closed("I-1"));
  EXPECT_EQ(v.offer("I-1", IncidentChange::assign, at("e1", 1, 1000)), IncidentVerdict::superseded);
  EXPECT_EQ(v.offer("I-1", IncidentChange::assign, at("e2", 1, 1000)), IncidentVerdict::superseded);
  EXPECT_TRUE(v.closed("I-1"));
}

TEST(IncidentVersions, UpdateNewerThanTheCloseStillDoesNotReopen) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::close, at("e1", 3, 3000));
  EXPECT_EQ(v.offer("I-1", IncidentChange::update, at("e1", 4, 4000)), IncidentVerdict::closed);
  EXPECT_TRUE(v.closed("I-1"));
}

TEST(IncidentVersions, StrictlyNewerDispatchReopensAClosedIncident) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::close, at("e1", 3, 3000));
  EXPECT_EQ(v.offer("I-1", IncidentChange::assign, at("e1", 4, 4000)), IncidentVerdict::apply);
  EXPECT_FALSE(v.closed("I-1"));
}

TEST(IncidentVersions, NewerCloseOnAClosedIncidentRaisesTheTombstone) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::close, at("e1", 2, 2000));
  EXPECT_EQ(v.offer("I-1", IncidentChange::close, at("e2", 1, 5000)), IncidentVerdict::closed);
  // A dispatch between the two closes is older than the second one.
  EXPECT_EQ(v.offer("I-1", IncidentChange::assign, at("e1", 3, 3000)), IncidentVerdict::superseded);
}

TEST(IncidentVersions, TieAcrossTopicsGoesToTheClose) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::assign, at("e1", 1, 1000));
  EXPECT_EQ(v.offer("I-1", IncidentChange::close, at("e1", 1, 1000, "all")), IncidentVerdict::apply);
  IncidentVersions w;
  w.offer("I-1", IncidentChange::close, at("e1", 1, 1000, "all"));
  EXPECT_EQ(w.offer("I-1", IncidentChange::assign, at("e1", 1, 1000)), IncidentVerdict::closed);
}

TEST(IncidentVersions, WithoutSentAtAcrossRunsAClosedIncidentStaysClosed) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::close, at("e1", 2, std::nullopt));
  EXPECT_EQ(v.offer("I-1", IncidentChange::assign, at("e2", 1, std::nullopt)), IncidentVerdict::closed);
  IncidentVersions open;
  open.offer("I-1", IncidentChange::assign, at("e1", 2, std::nullopt));
  EXPECT_EQ(open.offer("I-1", IncidentChange::update, at("e2", 1, std::nullopt)), IncidentVerdict::apply);
}

TEST(IncidentVersions, IncidentsAreIndependent) {
  IncidentVersions v;
  v.offer("I-1", IncidentChange::close, at("e1", 5, 5000));
  EXPECT_EQ(v.offer("I-2", IncidentChange::assign, at("e1", 1, 1000)), IncidentVerdict::apply);
}

TEST(IncidentVersions, TableIsBoundedAndForgetsTheLongestKnownFirst) {
  IncidentVersions v(2);
  v.offer("I-1", IncidentChange::close, at("e1", 1, 1000));
  v.offer("I-2", IncidentChange::assign, at("e1", 2, 2000));
  v.offer("I-3", IncidentChange::assign, at("e1", 3, 3000));
  EXPECT_EQ(v.size(), 2u);
  EXPECT_EQ(v.evicted(), 1u);
  EXPECT_FALSE(v.closed("I-1"));
}
