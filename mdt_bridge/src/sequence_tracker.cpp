#include "sequence_tracker.h"

#include <algorithm>

namespace mdtc::bridge {

SequenceTracker::SequenceTracker(std::vector<std::string> topics)
    : SequenceTracker(std::move(topics), Limits{}) {}

SequenceTracker::SequenceTracker(std::vector<std::string> topics, Limits limits)
    : limits_(limits) {
  for (auto& t : topics) topics_[std::move(t)];
}

uint64_t SequenceTracker::last_seq(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? 0 : it->second.last;
}

std::string SequenceTracker::epoch(const std::string& topic) const {
  auto it = topics_.find(topic);
  return it == topics_.end() ? std::string() : it->second.epoch;
}

bool SequenceTracker::retired(const Topic& t, const std::string& epoch) const {
  return std::find(t.retired.begin(), t.retired.end(), epoch) != t.retired.end();
}

// A new epoch means the gateway restarted and numbers from 1 again: all of
// the new epoch is unseen by us, so the baseline is 0 and anything we missed
// of it is asked for. Messages of the old epoch still in flight are stale.
void SequenceTracker::start_epoch(Topic& t, const std::string& epoch) {
  // One gateway restart shows on every topic; count it once.
  if (epoch != run_epoch_) {
    ++counts_["epochs"];
    run_epoch_ = epoch;
  }
  t.retired.push_back(t.epoch);
  if (t.retired.size() > 16) t.retired.pop_front();
  t.epoch = epoch;
  t.last = 0;
  t.head = 0;
  t.held.clear();
  t.asking = false;
  t.attempts = 0;
}

// A gateway restart may re-publish incidents it had already sent (a CAD
// re-sends its active calls to a fresh gateway). Across epochs seq cannot
// tell those apart, so a delivered (type, incident, sent_at) is remembered
// and a second copy is dropped. Only the CAD's own incident messages are
// treated so: their sent_at is the CAD's, kept across a replay, while
// co-responder statuses are stamped by the gateway and two can share a
// millisecond.
bool SequenceTracker::replay_deduped(const std::string& type) {
  return type == "dispatch" || type == "incident_update" || type == "cancel" ||
         type == "unit_cleared";
}

void SequenceTracker::deliver(Message m, TrackerOutput& out) {
  if (m.type.empty()) return;  // placeholder for an undecodable message
  if (replay_deduped(m.type) && !m.incident_id.empty() && !m.sent_at.empty()) {
    std::string fp = m.type + '\x1f' + m.incident_id + '\x1f' + m.sent_at;
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
  out.deliver.push_back(std::move(m));
}

void SequenceTracker::drain(Topic& t, TrackerOutput& out) {
  while (!t.held.empty()) {
    auto it = t.held.begin();
    if (it->first <= t.last) {
      t.held.erase(it);
      continue;
    }
    if (it->first != t.last + 1) break;
    t.last = it->first;
    Message m = std::move(it->second);
    t.held.erase(it);
    deliver(std::move(m), out);
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
  uint64_t to = t.held.empty() ? t.head : t.held.begin()->first - 1;
  if (to < from) return;
  t.asking = true;
  t.ask_to = to;
  t.attempts = 1;
  t.deadline = now + limits_.ask_timeout;
  ++counts_["gaps"];
  ++counts_["catchups"];
  out.asks.push_back({name, t.epoch, from, to});
}

void SequenceTracker::give_up(Topic& t, TrackerOutput& out) {
  ++counts_["gaps_unfilled"];
  counts_["lost"] += t.ask_to - t.last;
  t.last = t.ask_to;
  t.asking = false;
  t.attempts = 0;
  drain(t, out);
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
    ++counts_["dropped.stale_epoch"];
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
  if (m.seq <= t.last || t.held.count(m.seq)) {
    ++counts_["duplicates"];
    return;
  }
  t.head = std::max(t.head, m.seq);
  if (m.seq == t.last + 1) {
    t.last = m.seq;
    deliver(std::move(m), out);
    drain(t, out);
  } else {
    if (t.held.size() >= limits_.max_held) {
      // The gap is too long to hold behind; a later heartbeat names the
      // head again and the rest is asked for then.
      ++counts_["dropped.hold_full"];
    } else {
      t.held.emplace(m.seq, std::move(m));
    }
  }
  ensure_ask(it->first, t, now, out);
}

void SequenceTracker::on_unusable(const std::string& topic, const std::string& epoch,
                                  uint64_t seq, Clock::time_point now, TrackerOutput& out) {
  Message placeholder;  // empty type: takes its seq, is never delivered
  placeholder.topic = topic;
  placeholder.epoch = epoch;
  placeholder.seq = seq;
  on_message(std::move(placeholder), now, out);
}

void SequenceTracker::on_head(const std::string& topic, const std::string& epoch, uint64_t head,
                              Clock::time_point now, TrackerOutput& out) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  Topic& t = it->second;
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
  t.head = std::max(t.head, head);
  ensure_ask(topic, t, now, out);
}

void SequenceTracker::on_catchup_done(const std::string& topic, const std::string& epoch,
                                      uint64_t to, Clock::time_point now, TrackerOutput& out) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) return;
  Topic& t = it->second;
  if (!t.known || epoch != t.epoch || !t.asking || to < t.ask_to) return;
  if (t.last < t.ask_to) give_up(t, out);
  ensure_ask(topic, t, now, out);
}

void SequenceTracker::resume(const std::string& topic, const std::string& epoch, uint64_t last) {
  auto it = topics_.find(topic);
  if (it == topics_.end() || it->second.known) return;
  Topic& t = it->second;
  t.known = true;
  t.epoch = epoch;
  t.last = last;
  t.head = last;
  if (run_epoch_.empty()) run_epoch_ = epoch;
}

std::vector<SequenceTracker::Position> SequenceTracker::positions() const {
  std::vector<Position> out;
  for (const auto& [name, t] : topics_) {
    if (t.known) out.push_back({name, t.epoch, t.last});
  }
  return out;
}

void SequenceTracker::on_tick(Clock::time_point now, TrackerOutput& out) {
  for (auto& [name, t] : topics_) {
    if (!t.asking || now < t.deadline) continue;
    if (t.attempts >= limits_.max_attempts) {
      give_up(t, out);
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
