#include "sequence_tracker.h"

#include <algorithm>

namespace mdtc::bridge {

SequenceTracker::SequenceTracker(std::vector<std::string> topics)
    : SequenceTracker(std::move(topics), Limits{}) {}

SequenceTracker::SequenceTracker(std::vector<std::string> topics, Limits limits)
    : limits_(limits), versions_(limits.incidents) {
  for (auto& t : topics) {
    if (t.rfind("unit.", 0) == 0) unit_id_ = t.substr(5);
    topics_[std::move(t)];
  }
}

uint64_t SequenceTracker::last_seq(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.last;
}

std::string SequenceTracker::epoch(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? std::string() : it->second.epoch;
}

bool SequenceTracker::asking(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it != topics_.end() && it->second.asking;
}

bool SequenceTracker::retired(const Topic& t, const std::string& epoch) const {
  return std::find(t.retired.begin(), t.retired.end(), epoch) != t.retired.end();
}

// A new epoch means the gateway restarted and numbers from 1 again: all of
// the new epoch is unseen by us, so the baseline is 0 and anything we missed
// of it is asked for. Nothing was held, so nothing is dropped; what the old
// run never delivered is counted as lost on that run (a CAD re-sends its
// open incidents to a fresh gateway, and they then apply as usual).
void SequenceTracker::start_epoch(Topic& t, const std::string& epoch) {
  // One gateway restart shows on every topic; count it once.
  if (epoch != run_epoch_) {
    ++counts_["epochs"];
    run_epoch_ = epoch;
  }
  const uint64_t missing = t.head > t.last ? t.head - t.last - t.ahead.size() : 0;
  if (missing > 0) {
    ++counts_["gaps_unfilled"];
    counts_["lost"] += missing;
  }
  t.retired.push_back(t.epoch);
  if (t.retired.size() > 16) t.retired.pop_front();
  t.epoch = epoch;
  t.last = 0;
  t.head = 0;
  t.dropped_floor = UINT64_MAX;
  t.ahead.clear();
  t.asking = false;
  t.attempts = 0;
}

bool SequenceTracker::incident_message(MessageType type) {
  return type == MessageType::dispatch || type == MessageType::incident_update ||
         type == MessageType::cancel || type == MessageType::unit_cleared;
}

// The incident's own order (docs/protocol.md, "Ordering per incident").
bool SequenceTracker::passes_versions(const Message& m) {
  if (!incident_message(m.type()) || m.incident_id().empty()) return true;
  IncidentChange change = IncidentChange::update;
  if (m.type() == MessageType::dispatch) {
    change = IncidentChange::assign;
  } else if (m.type() == MessageType::cancel) {
    change = IncidentChange::close;
  } else if (const auto* cleared = m.as<UnitCleared>()) {
    // Another unit clearing on the shared topic says nothing about ours.
    const bool ours = !unit_id_.empty() && m.topic == "unit." + unit_id_;
    if (!ours && cleared->unit != unit_id_) return true;
    change = IncidentChange::close;
  }
  const auto verdict = versions_.offer(
      m.incident_id(), change, IncidentVersion{m.epoch, m.topic, m.seq, parse_sent_at_ms(m.sent_at)});
  counts_["incidents.evicted"] = versions_.evicted();
  if (verdict == IncidentVerdict::superseded) {
    ++counts_["dropped.superseded"];
    return false;
  }
  if (verdict == IncidentVerdict::closed) {
    ++counts_["dropped.closed_incident"];
    return false;
  }
  return true;
}

// A gateway restart may re-publish incidents it had already sent (a CAD
// re-sends its active calls to a fresh gateway). Across epochs seq cannot
// tell those apart, so a delivered (type, incident, sent_at) is remembered
// and a second copy is dropped. Only the CAD's own incident messages are
// treated so: their sent_at is the CAD's, kept across a replay, while
// co-responder statuses are stamped by the gateway and two can share a
// millisecond.
void SequenceTracker::deliver(Message m, TrackerOutput& out) {
  if (m.type() == MessageType::none) return;  // placeholder for an undecodable message
  if (incident_message(m.type()) && !m.incident_id().empty() && !m.sent_at.empty()) {
    std::string fp = std::string(to_string(m.type())) + '\x1f' + m.incident_id() + '\x1f' + m.sent_at;
    if (fingerprint_set_.count(fp)) {
      ++counts_["duplicates"];
      ++counts_["duplicates.replayed"];
      return;
    }
    fingerprint_set_.insert(fp);
    fingerprints_.push_back(std::move(fp));
    if (fingerprints_.size() > limits_.remembered) {
      fingerprint_set_.erase(fingerprints_.front());
      fingerprints_.pop_front();
    }
  }
  if (!passes_versions(m)) return;
  out.deliver.push_back(std::move(m));
}

void SequenceTracker::advance(Topic& t) {
  while (!t.ahead.empty() && *t.ahead.begin() <= t.last + 1) {
    t.last = std::max(t.last, *t.ahead.begin());
    t.ahead.erase(t.ahead.begin());
  }
  if (t.asking && t.last >= t.ask_to) {
    t.asking = false;
    t.attempts = 0;
  }
}

void SequenceTracker::ensure_ask(const std::string& name, Topic& t, Clock::time_point now,
                                 TrackerOutput& out) {
  if (t.asking) return;
  uint64_t from = t.last + 1;
  uint64_t to = t.ahead.empty() ? t.head : *t.ahead.begin() - 1;
  if (to < from) return;
  if (to - from >= limits_.max_ask) {
    // Beyond what a gateway keeps: asking for it could only come back
    // empty, and a gateway that walks the asked range would stall on it.
    // The newest part is asked for (it is what is still current); the
    // older part is counted lost now.
    const uint64_t skipped = to - limits_.max_ask + 1 - from;
    ++counts_["gaps_unfilled"];
    ++counts_["catchups.truncated"];
    counts_["lost"] += skipped;
    from += skipped;
    t.last = from - 1;
  }
  t.asking = true;
  t.ask_to = to;
  t.attempts = 1;
  t.deadline = now + limits_.ask_timeout;
  ++counts_["gaps"];
  ++counts_["catchups"];
  out.asks.push_back({name, t.epoch, from, to});
}

void SequenceTracker::give_up(Topic& t) {
  ++counts_["gaps_unfilled"];
  counts_["lost"] += t.ask_to - t.last;
  t.last = t.ask_to;
  t.asking = false;
  t.attempts = 0;
  advance(t);
}

// A seq that could not have been published yet (docs/protocol.md, "Seq out
// of range"). Taken as a position it would make every real message after
// it a duplicate, and its gap an ask no gateway can answer. A real message
// dropped here is not lost: the gateway's next head covers it and it is
// caught up.
bool SequenceTracker::out_of_range(const Topic& t, const Message& m) const {
  if (m.seq > kMaxSeq) return true;
  if (!t.known) return false;  // first contact: nothing to compare with yet
  // A new epoch numbers from 1 again.
  const uint64_t head = m.epoch == t.epoch ? std::max(t.head, t.last) : 0;
  return m.seq > head && m.seq - head > limits_.seq_window;
}

// The gateway says its head is below what the unit holds as delivered in
// the same epoch: the unit's position was spoiled (a seq taken before it
// was checked, a saved position from such a run). Left alone, every real
// message up to there would be dropped as a duplicate. A listed head of 0
// is not taken as a contradiction: a gateway may leave quiet topics out.
bool SequenceTracker::contradicts(const Topic& t, uint64_t head, HeadFrom from) const {
  const uint64_t highest = t.ahead.empty() ? t.last : std::max(t.last, *t.ahead.rbegin());
  if (head == 0 || head >= highest) return false;
  // A hello_ack may be overtaken by messages published after it was sent.
  return from == HeadFrom::heartbeat || highest - head > limits_.seq_window;
}

// The gateway's word wins: what lies beyond its head is forgotten, and
// anything up to the head not yet delivered is asked for, including what
// the spoiled position made look like duplicates since the last head.
void SequenceTracker::reset_to_head(Topic& t, uint64_t head) {
  ++counts_["positions.reset_by_head"];
  t.ahead.erase(t.ahead.upper_bound(head), t.ahead.end());
  t.last = std::min({t.last, head, t.dropped_floor - 1});
  t.head = head;
  if (t.asking && t.ask_to > head) {
    t.asking = false;
    t.attempts = 0;
  }
  advance(t);
}

void SequenceTracker::on_message(Message m, Clock::time_point now, TrackerOutput& out) {
  auto it = topics_.find(m.topic);
  if (it == topics_.end()) return;
  Topic& t = it->second;
  if (m.seq == 0) {
    ++counts_["dropped.bad_seq"];
    return;
  }
  if (t.known && m.epoch != t.epoch && retired(t, m.epoch)) {
    // A late message of an earlier run (a replay still in flight, a second
    // gateway catching up). Its seq says nothing now; an incident message
    // still applies if it is news to its incident, anything else is stale.
    if (incident_message(m.type())) {
      ++counts_["late_epoch"];
      deliver(std::move(m), out);
    } else {
      ++counts_["dropped.stale_epoch"];
    }
    return;
  }
  if (out_of_range(t, m)) {
    // Neither its seq nor its epoch is taken: a bogus epoch must not retire
    // the real one.
    ++counts_["dropped.seq_out_of_range"];
    return;
  }
  if (!t.known) {
    // First contact: what came before we subscribed is history, not news.
    t.known = true;
    t.epoch = m.epoch;
    t.last = m.seq - 1;
    if (run_epoch_.empty()) run_epoch_ = m.epoch;
  } else if (m.epoch != t.epoch) {
    start_epoch(t, m.epoch);
  }
  if (m.seq <= t.last || t.ahead.count(m.seq)) {
    ++counts_["duplicates"];
    if (m.seq <= t.last) t.dropped_floor = std::min(t.dropped_floor, m.seq);
    return;
  }
  t.head = std::max(t.head, m.seq);
  if (m.seq == t.last + 1) {
    t.last = m.seq;
  } else {
    t.ahead.insert(m.seq);
    if (t.ahead.size() > limits_.max_ahead) {
      // Too far beyond the gap to keep remembering: the gap is given up.
      ++counts_["gaps_overflowed"];
      t.asking = true;
      t.ask_to = *t.ahead.begin() - 1;
      give_up(t);
    }
  }
  advance(t);
  deliver(std::move(m), out);
  ensure_ask(it->first, t, now, out);
}

void SequenceTracker::on_unusable(const std::string& topic, const std::string& epoch,
                                  uint64_t seq, Clock::time_point now, TrackerOutput& out) {
  Message placeholder;  // no payload (type none): takes its seq, is never delivered
  placeholder.topic = topic;
  placeholder.epoch = epoch;
  placeholder.seq = seq;
  on_message(std::move(placeholder), now, out);
}

void SequenceTracker::on_head(const std::string& topic, const std::string& epoch, uint64_t head,
                              Clock::time_point now, TrackerOutput& out, HeadFrom from) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  Topic& t = it->second;
  if (head > kMaxSeq) {
    ++counts_["dropped.seq_out_of_range"];
    return;
  }
  if (!t.known) {
    t.known = true;
    t.epoch = epoch;
    t.last = head;
    t.head = head;
    if (run_epoch_.empty()) run_epoch_ = epoch;
    return;
  }
  if (epoch != t.epoch) {
    if (retired(t, epoch)) return;
    start_epoch(t, epoch);
  }
  if (contradicts(t, head, from)) reset_to_head(t, head);
  t.dropped_floor = UINT64_MAX;  // the head agreed with (or corrected) what came before
  t.head = std::max(t.head, head);
  ensure_ask(topic, t, now, out);
}

void SequenceTracker::on_catchup_done(const std::string& topic, const std::string& epoch,
                                      uint64_t to, Clock::time_point now, TrackerOutput& out) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  Topic& t = it->second;
  if (!t.known || epoch != t.epoch || !t.asking || to < t.ask_to) return;
  if (t.last < t.ask_to) give_up(t);
  ensure_ask(topic, t, now, out);
}

void SequenceTracker::resume(const std::string& topic, const std::string& epoch, uint64_t last,
                             const std::vector<uint64_t>& ahead) {
  auto it = topics_.find(topic);
  if (it == topics_.end() || it->second.known) return;
  if (last > kMaxSeq) {
    // Not a place any gateway reached: the topic starts afresh.
    ++counts_["positions.out_of_range"];
    return;
  }
  Topic& t = it->second;
  t.known = true;
  t.epoch = epoch;
  t.last = last;
  t.head = last;
  for (uint64_t seq : ahead) {
    if (seq <= last || seq > kMaxSeq || t.ahead.size() >= limits_.max_ahead) continue;
    t.ahead.insert(seq);
    t.head = std::max(t.head, seq);
  }
  if (run_epoch_.empty()) run_epoch_ = epoch;
}

std::vector<SequenceTracker::Position> SequenceTracker::positions() const {
  std::vector<Position> out;
  for (const auto& [name, t] : topics_) {
    if (t.known) out.push_back({name, t.epoch, t.last, {t.ahead.begin(), t.ahead.end()}});
  }
  return out;
}

void SequenceTracker::on_tick(Clock::time_point now, TrackerOutput& out) {
  for (auto& [name, t] : topics_) {
    if (!t.asking || now < t.deadline) continue;
    if (t.attempts >= limits_.max_attempts) {
      give_up(t);
      ensure_ask(name, t, now, out);
      continue;
    }
    ++t.attempts;
    t.deadline = now + limits_.ask_timeout * t.attempts;
    ++counts_["catchups"];
    out.asks.push_back({name, t.epoch, t.last + 1, t.ask_to});
  }
}

}  // namespace mdtc::bridge
