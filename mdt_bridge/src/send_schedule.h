// Which outbox entries to (re)send when. Pure bookkeeping in send order;
// the link thread owns the socket and calls pump().
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace mdtc::bridge {

class SendSchedule {
 public:
  using Clock = std::chrono::steady_clock;

  struct Pumped {
    int first = 0;    // sent for the first time
    int retries = 0;  // sent again
  };

  void add(std::string key, std::string body);  // a key already present is ignored
  bool ack(const std::string& key);             // true when the key was pending
  // Every pending entry is due now (after a reconnect).
  void expedite(Clock::time_point now);
  void clear();
  std::size_t size() const { return entries_.size(); }

  // Calls `send(body)` for each due entry, oldest first, until one returns
  // false (socket full). A sent entry is due again after a backoff of
  // 0.5 s doubling to 10 s.
  template <class Send>
  Pumped pump(Clock::time_point now, Send&& send);

 private:
  struct Entry {
    std::string body;
    int attempts = 0;
    Clock::time_point next_at{};
  };
  static Clock::duration backoff(int attempts);

  std::map<std::string, Entry> entries_;
  std::vector<std::string> order_;  // keys, oldest first
};

template <class Send>
SendSchedule::Pumped SendSchedule::pump(Clock::time_point now, Send&& send) {
  Pumped p;
  for (const auto& key : order_) {
    Entry& e = entries_.at(key);
    if (e.next_at > now) continue;
    if (!send(e.body)) break;
    (e.attempts == 0 ? p.first : p.retries)++;
    ++e.attempts;
    e.next_at = now + backoff(e.attempts);
  }
  return p;
}

}  // namespace mdtc::bridge
