#include "incident_versions.h"

namespace mdtc::bridge {

IncidentVersions::Order IncidentVersions::compare(const IncidentVersion& a,
                                                  const IncidentVersion& than) {
  if (a.epoch == than.epoch && a.topic == than.topic) return a.seq > than.seq ? Order::newer : Order::older;
  // Another topic or another gateway run: seq means nothing across them,
  // CAD's sent_at (kept when CAD re-sends) is the only common clock.
  if (a.sent_ms && than.sent_ms && *a.sent_ms != *than.sent_ms)
    return *a.sent_ms > *than.sent_ms ? Order::newer : Order::older;
  return Order::unknown;
}

IncidentVerdict IncidentVersions::offer(const std::string& incident_id, IncidentChange change,
                                        const IncidentVersion& version) {
  auto it = entries_.find(incident_id);
  if (it == entries_.end()) {
    if (entries_.size() >= capacity_ && !arrival_.empty()) {
      entries_.erase(arrival_.front());
      arrival_.pop_front();
      ++evicted_;
    }
    entries_.emplace(incident_id, Entry{version, change == IncidentChange::close});
    arrival_.push_back(incident_id);
    return IncidentVerdict::apply;
  }
  Entry& e = it->second;
  const Order order = compare(version, e.version);
  if (order == Order::older) return IncidentVerdict::superseded;
  if (e.closed) {
    // Only a later assignment reopens; on a tie the close stands, so a
    // dispatch re-sent with its old time cannot bring a closed call back.
    if (order == Order::newer) e.version = version;
    if (change == IncidentChange::assign && order == Order::newer) {
      e.closed = false;
      return IncidentVerdict::apply;
    }
    return IncidentVerdict::closed;
  }
  // Newer, or not comparable (same sent_at on two topics): apply. A close
  // then wins any tie with the state it ends.
  e.version = version;
  if (change == IncidentChange::close) e.closed = true;
  return IncidentVerdict::apply;
}

bool IncidentVersions::closed(const std::string& incident_id) const {
  auto it = entries_.find(incident_id);
  return it != entries_.end() && it->second.closed;
}

}  // namespace mdtc::bridge
