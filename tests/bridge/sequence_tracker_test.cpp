#include "sequence_tracker.h"

#include <gtest/gtest.h>

#include "incident_orderings.h"

using mdtc::bridge::Message;
using mdtc::bridge::SequenceTracker;
using mdtc::bridge::TrackerOutput;
using namespace std::chrono_literals;

namespace {

const std::string kTopic = "unit.2A31";

Message msg(uint64_t seq, std::string epoch = "e1", std::string incident = "") {
  Message m;
  m.topic = kTopic;
  m.seq = seq;
  m.epoch = std::move(epoch);
  m.payload = mdtc::test::ordering_payload("dispatch", incident.empty() ? "I-" + std::to_string(seq) : incident);
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

TEST_F(TrackerTest, GapDeliversLaterMessagesAtOnceAsksAndFillsInWhatNeverArrived) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(4), now, out);
  tracker.on_message(msg(5), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 4, 5})) << "nothing waits behind the gap";
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 2u);
  EXPECT_EQ(out.asks[0].to_seq, 3u);
  EXPECT_EQ(out.asks[0].epoch, "e1");
  EXPECT_TRUE(tracker.asking(kTopic));
  tracker.on_message(msg(3), now, out);  // replays may arrive in any order
  tracker.on_message(msg(2), now, out);
  tracker.on_message(msg(4), now, out);  // a second copy of one already delivered
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 4, 5, 3, 2}));
  EXPECT_EQ(tracker.last_seq(kTopic), 5u);
  EXPECT_FALSE(tracker.asking(kTopic));
  EXPECT_EQ(count("gaps"), 1u);
  EXPECT_EQ(count("duplicates"), 1u);
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
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 3}));
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].epoch, "e2");
  EXPECT_EQ(out.asks[0].from_seq, 1u);
  EXPECT_EQ(out.asks[0].to_seq, 2u);
  tracker.on_message(msg(1, "e2"), now, out);
  tracker.on_message(msg(2, "e2"), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 3, 1, 2}));
  EXPECT_EQ(count("epochs"), 1u);
}

TEST_F(TrackerTest, LateStatusFromARetiredEpochIsStale) {
  TrackerOutput out;
  tracker.on_message(msg(10), now, out);
  tracker.on_message(msg(1, "e2"), now, out);
  Message late = msg(11, "e1");
  late.payload = mdtc::test::ordering_payload("coresponder_status", late.incident_id());
  tracker.on_message(late, now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 1}));
  EXPECT_EQ(count("dropped.stale_epoch"), 1u);
  EXPECT_EQ(tracker.epoch(kTopic), "e2");
}

TEST_F(TrackerTest, LateIncidentMessageFromARetiredEpochStillAppliesWhenItIsNews) {
  TrackerOutput out;
  tracker.on_message(msg(10), now, out);
  tracker.on_message(msg(1, "e2"), now, out);
  tracker.on_message(msg(11, "e1", "I-99"), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 1, 11}));
  EXPECT_EQ(count("late_epoch"), 1u);
  EXPECT_EQ(tracker.epoch(kTopic), "e2");
}

TEST_F(TrackerTest, RestartWhileAGapIsOpenCountsTheGapLostAndDropsNothingDelivered) {
  TrackerOutput out;
  tracker.on_message(msg(15), now, out);
  tracker.on_message(msg(17), now, out);  // 16 lost on the wire
  ASSERT_EQ(out.asks.size(), 1u);
  Message cancel = msg(1, "e2", "I-17");
  cancel.payload = mdtc::test::ordering_payload("cancel", "I-17");
  tracker.on_message(cancel, now, out);
  ASSERT_EQ(out.deliver.size(), 3u);
  EXPECT_EQ(out.deliver[1].incident_id(), "I-17");
  EXPECT_EQ(out.deliver[2].type(), mdtc::bridge::MessageType::cancel);
  EXPECT_EQ(count("gaps_unfilled"), 1u);
  EXPECT_EQ(count("lost"), 1u);
  EXPECT_FALSE(tracker.asking(kTopic));
}

TEST_F(TrackerTest, IncidentRepublishedAfterRestartIsNotShownTwice) {
  TrackerOutput out;
  tracker.on_message(msg(7, "e1", "I-7"), now, out);
  Message again = msg(1, "e2", "I-7");
  again.sent_at = "t7";  // the CAD re-sent the same dispatch to the new gateway
  tracker.on_message(again, now, out);
  tracker.on_message(msg(2, "e2", "I-8"), now, out);
  EXPECT_EQ(out.deliver.size(), 2u);
  EXPECT_EQ(out.deliver[1].incident_id(), "I-8");
  EXPECT_EQ(count("duplicates.replayed"), 1u);
}

TEST_F(TrackerTest, CatchupDoneWithoutTheMessagesGivesUp) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(4), now, out);
  tracker.on_catchup_done(kTopic, "e1", 3, now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 4}));
  EXPECT_EQ(count("gaps_unfilled"), 1u);
  EXPECT_EQ(count("lost"), 2u);
}

TEST_F(TrackerTest, UnansweredAskIsRetriedThenAbandoned) {
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
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 3}));
  t.on_tick(now + 2s, out);
  EXPECT_EQ(t.counts().at("lost"), 1u);
  EXPECT_FALSE(t.asking(kTopic));
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
  a.payload = mdtc::test::ordering_payload("coresponder_status", "I-1");
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

TEST_F(TrackerTest, TooManyBeyondAGapGivesTheGapUpInsteadOfGrowing) {
  SequenceTracker::Limits limits;
  limits.max_ahead = 3;
  SequenceTracker t({kTopic}, limits);
  TrackerOutput out;
  t.on_message(msg(1), now, out);
  for (uint64_t s = 5; s <= 8; ++s) t.on_message(msg(s), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 5, 6, 7, 8}));
  EXPECT_EQ(t.counts().at("gaps_overflowed"), 1u);
  EXPECT_EQ(t.counts().at("lost"), 3u);
  EXPECT_EQ(t.last_seq(kTopic), 8u);
}

// Every row of the table in docs/protocol.md, through the pure tracker.
class IncidentOrdering : public ::testing::TestWithParam<mdtc::test::OrderingRow> {};

TEST_P(IncidentOrdering, EachMessageAppliesAtOnceToItsOwnIncident) {
  const auto& row = GetParam();
  SequenceTracker t({"unit." + mdtc::test::kOrderingUnit, "all"});
  SequenceTracker::Clock::time_point at{};
  TrackerOutput out;
  // As after the hello: both topics known in e1, nothing published yet.
  t.on_head("unit." + mdtc::test::kOrderingUnit, "e1", 0, at, out);
  t.on_head("all", "e1", 0, at, out);
  std::vector<std::string> shown;
  for (const auto& step : row.steps) {
    if (step.lost) continue;
    Message m;
    m.topic = mdtc::test::ordering_topic(step);
    m.epoch = step.epoch;
    m.seq = step.seq;
    m.sent_at = mdtc::test::ordering_sent_at(step.at_s);
    m.payload = mdtc::test::ordering_payload(step.type, step.incident, step.unit);
    t.on_message(m, at, out);
    // Delivered at arrival: the step's own output, before any tick.
    for (auto& d : out.deliver) shown.push_back(mdtc::test::ordering_label(d));
    out.deliver.clear();
  }
  EXPECT_EQ(shown, row.shown);
  // Nothing waits: ticking out every ask delivers nothing more.
  t.on_tick(at + 1h, out);
  for (int i = 0; i < 10; ++i) t.on_tick(at + 1h * (i + 2), out);
  EXPECT_TRUE(out.deliver.empty());
}

INSTANTIATE_TEST_SUITE_P(Table, IncidentOrdering, ::testing::ValuesIn(mdtc::test::incident_orderings()),
                         mdtc::test::ordering_row_name);

TEST_F(TrackerTest, ResumedTopicKeepsWhatWasDeliveredBeyondAGap) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(3), now, out);  // 2 lost
  const auto saved = tracker.positions();
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0].last, 1u);
  EXPECT_EQ(saved[0].ahead, std::vector<uint64_t>{3});

  SequenceTracker restarted{{kTopic, "all"}};
  TrackerOutput again;
  restarted.resume(kTopic, "e1", saved[0].last, saved[0].ahead);
  restarted.on_head(kTopic, "e1", 3, now, again);
  ASSERT_EQ(again.asks.size(), 1u);
  EXPECT_EQ(again.asks[0].from_seq, 2u);
  EXPECT_EQ(again.asks[0].to_seq, 2u) << "only what never arrived";
  restarted.on_message(msg(2), now, again);
  restarted.on_message(msg(3), now, again);
  EXPECT_EQ(seqs(again), std::vector<uint64_t>{2});
  EXPECT_EQ(restarted.last_seq(kTopic), 3u);
}

// The outside tester's case: one message with seq 2^64-1 in the current
// epoch must not become the topic's position, or every real dispatch after
// it is dropped as a duplicate and the gap is an ask no gateway can answer.
TEST_F(TrackerTest, AbsurdSeqIsDroppedAndRealDispatchesKeepComing) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(UINT64_MAX), now, out);
  EXPECT_EQ(count("dropped.seq_out_of_range"), 1u);
  EXPECT_TRUE(out.asks.empty()) << "no gap opened by it";
  EXPECT_EQ(tracker.last_seq(kTopic), 1u);
  tracker.on_message(msg(3), now, out);
  tracker.on_message(msg(4), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 3, 4}));
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 2u);
  EXPECT_EQ(out.asks[0].to_seq, 2u);
  EXPECT_EQ(count("lost"), 0u);
  EXPECT_EQ(count("duplicates"), 0u);
}

TEST_F(TrackerTest, SeqBeyondTheGatewaysHeadByMoreThanTheWindowIsDropped) {
  TrackerOutput out;
  tracker.on_head(kTopic, "e1", 3, now, out);
  tracker.on_message(msg(3 + 10001), now, out);
  EXPECT_EQ(count("dropped.seq_out_of_range"), 1u);
  EXPECT_TRUE(out.asks.empty());
  tracker.on_message(msg(4), now, out);
  tracker.on_message(msg(4 + 10000), now, out);  // within the window: a real gap
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{4, 10004}));
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 5u);
  EXPECT_EQ(out.asks[0].to_seq, 10003u);
}

TEST_F(TrackerTest, FirstContactAboveTheHardBoundIsDropped) {
  TrackerOutput out;
  tracker.on_message(msg(SequenceTracker::kMaxSeq + 1), now, out);
  EXPECT_TRUE(out.deliver.empty());
  EXPECT_EQ(count("dropped.seq_out_of_range"), 1u);
  tracker.on_message(msg(7), now, out);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{7}) << "first contact is still made by a real message";
}

TEST_F(TrackerTest, OutOfRangeSeqInAnotherEpochDoesNotRetireTheCurrentOne) {
  TrackerOutput out;
  tracker.on_message(msg(10), now, out);
  tracker.on_message(msg(50000, "bogus"), now, out);
  EXPECT_EQ(count("dropped.seq_out_of_range"), 1u);
  EXPECT_EQ(tracker.epoch(kTopic), "e1");
  EXPECT_EQ(count("epochs"), 0u);
  tracker.on_message(msg(11), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{10, 11}));
}

TEST_F(TrackerTest, NewEpochStillStartsOverFromAnyPosition) {
  TrackerOutput out;
  tracker.on_head(kTopic, "e1", 5'000'000, now, out);
  tracker.on_message(msg(5'000'001), now, out);
  tracker.on_message(msg(2, "e2"), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{5'000'001, 2}));
  EXPECT_EQ(count("dropped.seq_out_of_range"), 0u);
  EXPECT_EQ(tracker.epoch(kTopic), "e2");
}

// A unit that was off for a while: the gateway's head is far beyond the
// saved position. The window compares with the head, so what follows the
// head is taken; the catch-up asks only for what a gateway keeps.
TEST_F(TrackerTest, LongAbsenceCatchesUpTheNewestPartInOneBoundedAsk) {
  TrackerOutput out;
  tracker.resume(kTopic, "e1", 4);
  tracker.on_head(kTopic, "e1", 50'000, now, out);
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 40'001u);
  EXPECT_EQ(out.asks[0].to_seq, 50'000u);
  EXPECT_EQ(count("catchups.truncated"), 1u);
  EXPECT_EQ(count("lost"), 40'000u - 4u);
  for (uint64_t s = 40'001; s <= 50'000; ++s) tracker.on_message(msg(s), now, out);
  tracker.on_message(msg(50'001), now, out);
  EXPECT_EQ(out.deliver.size(), 10'001u);
  EXPECT_EQ(tracker.last_seq(kTopic), 50'001u);
  EXPECT_FALSE(tracker.asking(kTopic));
  EXPECT_EQ(count("dropped.seq_out_of_range"), 0u);
}

// Before the first head the unit cannot tell a real jump from a broken one;
// dropping it loses nothing, since the next head covers it and it is asked for.
TEST_F(TrackerTest, RealMessageDroppedBeforeTheHeadIsKnownComesBackByCatchup) {
  TrackerOutput out;
  tracker.resume(kTopic, "e1", 4);
  tracker.on_message(msg(20'000), now, out);
  EXPECT_EQ(count("dropped.seq_out_of_range"), 1u);
  tracker.on_head(kTopic, "e1", 20'000, now, out);
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].to_seq, 20'000u);
  tracker.on_message(msg(20'000), now, out);  // the replay
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{20'000});
}

TEST_F(TrackerTest, CatchupAskIsBoundedWhateverTheGap) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_head(kTopic, "e1", SequenceTracker::kMaxSeq, now, out);
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].to_seq, SequenceTracker::kMaxSeq);
  EXPECT_EQ(out.asks[0].to_seq - out.asks[0].from_seq + 1, 10'000u);
  tracker.on_tick(now + 2s, out);  // a retry asks no more than the first ask
  ASSERT_EQ(out.asks.size(), 2u);
  EXPECT_EQ(out.asks[1].from_seq, out.asks[0].from_seq);
  tracker.on_head(kTopic, "e1", UINT64_MAX, now, out);
  EXPECT_EQ(count("dropped.seq_out_of_range"), 1u) << "a head above the hard bound is not taken";
}

// A position spoiled before seqs were checked (say, saved by an earlier
// run): the gateway's heartbeat says its head is lower in the same epoch.
TEST_F(TrackerTest, SpoiledPositionIsResetByTheHeartbeatsHead) {
  TrackerOutput out;
  tracker.resume(kTopic, "e1", 1'000'000, {2'000'000});
  tracker.on_head(kTopic, "e1", 3, now, out);
  EXPECT_EQ(count("positions.reset_by_head"), 1u);
  EXPECT_EQ(tracker.last_seq(kTopic), 3u);
  EXPECT_TRUE(tracker.positions()[0].ahead.empty());
  tracker.on_message(msg(4), now, out);
  tracker.on_message(msg(5), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{4, 5}));
  EXPECT_TRUE(out.asks.empty());
}

TEST_F(TrackerTest, HeartbeatBelowAGapOpenedByABogusSeqAsksOnlyUpToTheHead) {
  TrackerOutput out;
  tracker.on_message(msg(1), now, out);
  tracker.on_message(msg(5000), now, out);  // within the window, not yet contradicted
  tracker.on_head(kTopic, "e1", 3, now, out);
  EXPECT_EQ(count("positions.reset_by_head"), 1u);
  ASSERT_EQ(out.asks.size(), 2u);
  EXPECT_EQ(out.asks[1].from_seq, 2u);
  EXPECT_EQ(out.asks[1].to_seq, 3u);
  tracker.on_message(msg(2), now, out);
  tracker.on_message(msg(3), now, out);
  tracker.on_message(msg(4), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{1, 5000, 2, 3, 4}));
}

// A hello_ack is answered on the DEALER: messages published after it was
// sent may overtake it on the SUB. A head a little behind is that race,
// not a spoiled position.
TEST_F(TrackerTest, HelloAckOvertakenByNewerMessagesDoesNotResetThePosition) {
  TrackerOutput out;
  tracker.on_message(msg(10), now, out);
  tracker.on_message(msg(11), now, out);
  tracker.on_head(kTopic, "e1", 9, now, out, SequenceTracker::HeadFrom::hello_ack);
  EXPECT_EQ(count("positions.reset_by_head"), 0u);
  EXPECT_EQ(tracker.last_seq(kTopic), 11u);
  tracker.on_head(kTopic, "e1", 9, now, out, SequenceTracker::HeadFrom::heartbeat);
  EXPECT_EQ(count("positions.reset_by_head"), 1u) << "in order on the SUB: a contradiction";
}

TEST_F(TrackerTest, SavedPositionAboveTheHardBoundIsNotResumed) {
  TrackerOutput out;
  tracker.resume(kTopic, "e1", UINT64_MAX);
  EXPECT_EQ(count("positions.out_of_range"), 1u);
  EXPECT_TRUE(tracker.positions().empty());
  tracker.on_message(msg(3), now, out);
  EXPECT_EQ(seqs(out), std::vector<uint64_t>{3});
}

// Between resuming a spoiled place and the first head, real messages look
// like duplicates. The reset asks for them again rather than taking the
// head as delivered.
TEST_F(TrackerTest, MessagesDroppedAsDuplicatesOfASpoiledPositionAreCaughtUpAfterTheReset) {
  TrackerOutput out;
  tracker.resume(kTopic, "e1", 1'000'000);
  tracker.on_message(msg(2), now, out);
  tracker.on_message(msg(3), now, out);
  EXPECT_TRUE(out.deliver.empty());
  tracker.on_head(kTopic, "e1", 3, now, out);
  EXPECT_EQ(count("positions.reset_by_head"), 1u);
  ASSERT_EQ(out.asks.size(), 1u);
  EXPECT_EQ(out.asks[0].from_seq, 2u);
  EXPECT_EQ(out.asks[0].to_seq, 3u);
  tracker.on_message(msg(2), now, out);
  tracker.on_message(msg(3), now, out);
  EXPECT_EQ(seqs(out), (std::vector<uint64_t>{2, 3}));
}
