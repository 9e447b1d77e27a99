// The newest known state of each incident, by incident id (the Clone
// pattern's key-value snapshot): every incident message is applied at once
// to its own incident, and one older than what the incident already holds is
// ignored. A cancel or a clear leaves a tombstone, so a late dispatch or
// update never reopens a closed call. Pure: no I/O, no clock.
// The rules and the table of orderings are in docs/protocol.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

namespace mdtc::bridge {

// Where one incident message stands. `seq` orders messages of one topic in
// one gateway run; across topics and runs only CAD's own `sent_at` can.
struct IncidentVersion {
  std::string epoch;
  std::string topic;
  uint64_t seq = 0;
  std::optional<int64_t> sent_ms;  // CAD's sent_at; empty when absent or unreadable
};

enum class IncidentChange {
  assign,  // dispatch: may reopen a closed incident when strictly newer
  update,  // incident_update: never reopens
  close,   // cancel, or unit_cleared naming this unit
};

enum class IncidentVerdict {
  apply,       // newest news about the incident: deliver
  superseded,  // older than what the incident already holds
  closed,      // the incident is closed and this does not reopen it
};

class IncidentVersions {
 public:
  explicit IncidentVersions(std::size_t capacity = 8192) : capacity_(capacity) {}

  IncidentVerdict offer(const std::string& incident_id, IncidentChange change,
                        const IncidentVersion& version);

  bool closed(const std::string& incident_id) const;
  std::size_t size() const { return entries_.size(); }
  uint64_t evicted() const { return evicted_; }

 private:
  enum class Order { older, newer, unknown };
  static Order compare(const IncidentVersion& a, const IncidentVersion& than);

  struct Entry {
    IncidentVersion version;
    bool closed = false;
  };
  std::size_t capacity_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::string> arrival_;  // eviction order: the longest known goes first
  uint64_t evicted_ = 0;
};

}  // namespace mdtc::bridge
