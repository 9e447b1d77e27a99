#include "sequence_tracker.h"

#include <gtest/gtest.h>

using mdtc::bridge::Message;
using mdtc::bridge::SequenceTracker;
using mdtc::bridge::TrackerOutput;
using namespace std::chrono_literals;

namespace {

const std::string kTopic = "unit.2A31";

Message msg(uint64_t seq, std::string epoch = "e1", std::string incident = "") {
  Message m;
  m.topic = kTopic;
  m.type = "dispatch";
  m.seq = seq;
  m.epoch = std::move(epoch);
  m.incident_id = incident.empty() ? "I-" + std::to_string(seq) : incident;
  m.sent_at = "t" + std::to_string(seq);
  return m;
}

std::vector<uint64_t> seqs(const TrackerOutput& out) {
  std::vector<uint64_t> s;
  for (const auto& m : out.deliver) s.push_back(m.seq);
  return s;
}

struct TrackerTest : ::testing::Test {
  SequenceTracker tracker{{kTopic, "all"}};
  SequenceTracker::Clock::time_point now{};
  uint64_t count(const std::string& name) {
    auto it = tracker.counts().find(name);
    return it == tracker.counts().end() ? 0 : it->second;
  }
};

}  // namespace

TEST_F(TrackerTest, FirstContactAcceptsCurrentSeqWithoutReplayingHistory) {
  TrackerOutput out;
  tracker.on_message(msg(40), now, out);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{40});
  EXPECT_TRUE(out.asks.empty());
}

TEST_F(TrackerTest, DuplicateIsDroppedAndCounted) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(2), now, out);
  tracker.on_message(msg(2), now, out);
  tracker.on_message(msg(1), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(count("duplicates"), 2u);
}

TEST_F(TrackerTest, GapHoldsLaterMessagesAsksAndReleasesInOrder) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(4), now, out);
  tracker.on_message(msg(5), now, out);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{1});
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 2u);
  EXPECT_EQ(out.asks[0].to_seq, 3u);
  EXPECT_EQ(out.asks[0].epoch, "e1");
  tracker.on_message(msg(3), now, out);  // replays may arrive in any order
  tracker.on_message(msg(2), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(count("gaps"), 1u);
}

TEST_F(TrackerTest, HeadAheadOfLastRevealsAMissedTail) {
  TrackerOutput out;
  tracker.on_message(msg(5), now, out);
  tracker.on_head(kTopic, "e1", 7, now, out);
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 6u);
  EXPECT_EQ(out.asks[0].to_seq, 7u);
}

TEST_F(TrackerTest, HelloBaselineMakesTheNextMessageDeliverable) {
  TrackerOutput out;
  tracker.on_head(kTopic, "e1", 5, now, out);
  tracker.on_message(msg(5), now, out);
  tracker.on_message(msg(6), now, out);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{6});
  EXPECT_TRUE(out.asks.empty());
}

TEST_F(TrackerTest, NewEpochStartsFromOneAndAsksForWhatWasMissed) {
  TrackerOutput out;
  tracker.on_message(msg(10), now, out);
  tracker.on_message(msg(3, "e2"), now, out);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{10});
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].epoch, "e2");
  EXPECT_EQ(out.asks[0].from_seq, 1u);
  EXPECT_EQ(out.asks[0].to_seq, 2u);
  tracker.on_message(msg(1, "e2"), now, out);
  tracker.on_message(msg(2, "e2"), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 1, 2, 3}));
  EXPECT_EQ(count("epochs"), 1u);
}

TEST_F(TrackerTest, LateMessageFromARetiredEpochIsStale) {
  TrackerOutput out;
  tracker.on_message(msg(10), now, out);
  tracker.on_message(msg(1, "e2"), now, out);
  tracker.on_message(msg(11, "e1"), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 1}));
  EXPECT_EQ(count("dropped.stale_epoch"), 1u);
  EXPECT_EQ(tracker.epoch(kTopic), "e2");
}

TEST_F(TrackerTest, IncidentRepublishedAfterRestartIsNotShownTwice) {
  TrackerOutput out;
  tracker.on_message(msg(7, "e1", "I-7"), now, out);
  Message again = msg(1, "e2", "I-7");
  again.sent_at = "t7";  // the CAD re-sent the same dispatch to the new gateway
  tracker.on_message(again, now, out);
  tracker.on_message(msg(2, "e2", "I-8"), now, out);
  EXPECT_EQ(out.deliver.size(), 2u);
  EXPECT_EQ(out.deliver[1].incident_id, "I-8");
  EXPECT_EQ(count("duplicates.replayed"), 1u);
}

TEST_F(TrackerTest, CatchupDoneWithoutTheMessagesGivesUpAndReleases) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(4), now, out);
  tracker.on_catchup_done(kTopic, "e1", 3, now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 4}));
  EXPECT_EQ(count("gaps_unfilled"), 1u);
  EXPECT_EQ(count("lost"), 2u);
}

TEST_F(TrackerTest, UnansweredAskIsRetriedThenAbandonedSoNothingStalls) {
  SequenceTracker::Limits limits;
  limits.max_attempts = 3;
  limits.ask_timeout = 100ms;
  SequenceTracker t({kTopic}, limits);
  TrackerOutput out;
  t.on_message(msg(1), now, out);
  t.on_message(msg(3), now, out);
  ASSERT_EQ(out.asks.size(), 1u);
  t.on_tick(now + 50ms, out);
  EXPECT_EQ(out.asks.size(), 1u);
  t.on_tick(now + 150ms, out);
  EXPECT_EQ(out.asks.size(), 2u);
  t.on_tick(now + 400ms, out);
  EXPECT_EQ(out.asks.size(), 3u);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{1});
  t.on_tick(now + 2s, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 3}));
}

TEST_F(TrackerTest, UntrackedTopicIsIgnored) {
  TrackerOutput out;
  Message m = msg(1);
  m.topic = "unit.2A3";
  tracker.on_message(m, now, out);
  EXPECT_TRUE(out.deliver.empty());
  EXPECT_FALSE(tracker.tracks("unit.2A3"));
}

TEST_F(TrackerTest, StatusesSharingAMillisecondAreBothDelivered) {
  TrackerOutput out;
  Message a = msg(1, "e1", "I-1");
  a.type = "coresponder_status";
  a.sent_at = "same";
  Message b = a;
  b.seq = 2;
  tracker.on_message(a, now, out);
  tracker.on_message(b, now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 2}));
}

TEST_F(TrackerTest, ResumedTopicCatchesUpToTheHeadInsteadOfSkippingIt) {
  TrackerOutput out;
  tracker.resume(kTopic, "e1", 4);
  tracker.on_head(kTopic, "e1", 6, now, out);
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 5u);
  EXPECT_EQ(out.asks[0].to_seq, 6u);
  ASSERT_EQ(tracker.positions().size(), 1u);
  EXPECT_EQ(tracker.positions()[0].last, 4u);
}
