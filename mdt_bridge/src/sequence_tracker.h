// The inbound side of the link. Per topic, seq finds duplicates and losses
// and drives catch-up asks; nothing is held behind a gap: every message is
// delivered as it arrives. Incident messages then pass the per-incident
// version table (incident_versions.h), which keeps each incident's own
// order across gaps, topics and gateway restarts.
// Pure: no sockets and no clock of its own (the caller passes `now`), so
// every path is driven by plain values in unit tests.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "incident_versions.h"
#include "mdtc/bridge.h"

namespace mdtc::bridge {

struct CatchupAsk {
  std::string topic;
  std::string epoch;
  uint64_t from_seq = 0;
  uint64_t to_seq = 0;
};

struct TrackerOutput {
  std::vector<Message> deliver;  // each once, in arrival order
  std::vector<CatchupAsk> asks;
};

class SequenceTracker {
 public:
  using Clock = std::chrono::steady_clock;

  // The highest seq the link takes as a position, heads included: 2^53 - 1,
  // the largest integer every JSON reader holds exactly. A gateway
  // publishing a million messages a second on one topic reaches it in 285
  // years, so a seq above it is a broken or hostile gateway, not history.
  static constexpr uint64_t kMaxSeq = (uint64_t{1} << 53) - 1;

  struct Limits {
    // A seq further than this beyond the highest seq known to exist on its
    // topic (the gateway's head, or a message taken) cannot have been
    // published yet: it is dropped, not taken as the topic's position.
    uint64_t seq_window = 10000;
    // Seqs in one catch-up ask, the retention a gateway must keep per topic:
    // a longer gap asks for its newest part only.
    uint64_t max_ask = 10000;
    std::size_t max_ahead = 4096;       // seqs remembered beyond one gap, for dedupe
    std::size_t remembered = 8192;      // delivered fingerprints kept for replay dedupe
    std::size_t incidents = 8192;       // incident versions kept
    std::chrono::milliseconds ask_timeout{1000};
    int max_attempts = 5;               // then the gap is declared lost
  };

  // `topics` are the exact topics to track; the one named `unit.<id>` tells
  // which unit a `unit_cleared` on a shared topic must name to close.
  explicit SequenceTracker(std::vector<std::string> topics);
  SequenceTracker(std::vector<std::string> topics, Limits limits);

  bool tracks(const std::string& topic) const { return topics_.count(topic) != 0; }

  // A sequenced message from the SUB socket or a catch-up replay.
  void on_message(Message m, Clock::time_point now, TrackerOutput& out);
  // A message that used up `seq` but could not be decoded: it is dropped,
  // yet its seq must not look like a gap that is asked for forever.
  void on_unusable(const std::string& topic, const std::string& epoch, uint64_t seq,
                   Clock::time_point now, TrackerOutput& out);
  // Where a head comes from. A heartbeat travels on the SUB stream, in
  // order with the messages: a head lower than what that stream already
  // brought contradicts it. A hello_ack travels on the DEALER and may be
  // overtaken by messages published after it was sent.
  enum class HeadFrom { heartbeat, hello_ack };
  // The gateway's head seq for `topic` in `epoch` (hello_ack, heartbeat).
  // A topic the gateway does not list has head 0 in that epoch.
  void on_head(const std::string& topic, const std::string& epoch, uint64_t head,
               Clock::time_point now, TrackerOutput& out, HeadFrom from = HeadFrom::heartbeat);
  // The gateway finished replaying [from, to] for `topic`; what it did not
  // send it no longer has.
  void on_catchup_done(const std::string& topic, const std::string& epoch, uint64_t to,
                       Clock::time_point now, TrackerOutput& out);
  // Resumes a topic where a previous run of the link left it: later
  // messages, and a head beyond `last`, are caught up rather than taken as
  // history.
  // `ahead`: seqs beyond a gap that run already delivered.
  void resume(const std::string& topic, const std::string& epoch, uint64_t last,
              const std::vector<uint64_t>& ahead = {});
  struct Position {
    std::string topic, epoch;
    uint64_t last = 0;
    std::vector<uint64_t> ahead;  // delivered beyond a gap, ascending
    bool operator==(const Position&) const = default;
  };
  std::vector<Position> positions() const;  // known topics only

  // Retries or abandons catch-up asks whose answer is overdue.
  void on_tick(Clock::time_point now, TrackerOutput& out);

  // Counter increments since construction ("duplicates", "gaps", ...).
  const std::map<std::string, uint64_t>& counts() const { return counts_; }
  uint64_t last_seq(const std::string& topic) const;
  std::string epoch(const std::string& topic) const;
  // True while a catch-up ask is out for `topic`.
  bool asking(const std::string& topic) const;

 private:
  struct Topic {
    bool known = false;
    std::string epoch;
    uint64_t last = 0;  // every seq up to here was delivered (or given up) in `epoch`
    uint64_t head = 0;  // highest seq known to exist in `epoch`
    std::set<uint64_t> ahead;  // delivered beyond a gap: later copies are duplicates
    // Lowest seq dropped as at or below `last` since the last head: if a
    // head then shows `last` was spoiled, those were real and are asked for.
    uint64_t dropped_floor = UINT64_MAX;
    std::deque<std::string> retired;  // earlier epochs
    bool asking = false;
    uint64_t ask_to = 0;
    int attempts = 0;
    Clock::time_point deadline{};
  };

  static bool incident_message(MessageType type);
  bool out_of_range(const Topic& t, const Message& m) const;
  bool contradicts(const Topic& t, uint64_t head, HeadFrom from) const;
  void reset_to_head(Topic& t, uint64_t head);
  void start_epoch(Topic& t, const std::string& epoch);
  bool retired(const Topic& t, const std::string& epoch) const;
  void deliver(Message m, TrackerOutput& out);
  bool passes_versions(const Message& m);
  void advance(Topic& t);
  void ensure_ask(const std::string& name, Topic& t, Clock::time_point now, TrackerOutput& out);
  void give_up(Topic& t);

  Limits limits_;
  std::map<std::string, Topic> topics_;
  std::string unit_id_;
  std::map<std::string, uint64_t> counts_;
  std::string run_epoch_;  // the gateway run last seen on any topic
  std::deque<std::string> fingerprints_;
  std::unordered_set<std::string> fingerprint_set_;
  IncidentVersions versions_;
};

}  // namespace mdtc::bridge
