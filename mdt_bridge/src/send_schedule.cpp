#include "send_schedule.h"

#include <algorithm>

namespace mdtc::bridge {

void SendSchedule::add(std::string key, std::string body) {
  if (entries_.count(key)) return;
  order_.push_back(key);
  entries_.emplace(std::move(key), Entry{std::move(body), 0, {}});
}

bool SendSchedule::ack(const std::string& key) {
  if (!entries_.erase(key)) return false;
  std::erase(order_, key);
  return true;
}

void SendSchedule::expedite(Clock::time_point now) {
  for (auto& [key, e] : entries_) e.next_at = now;
}

void SendSchedule::clear() {
  entries_.clear();
  order_.clear();
}

SendSchedule::Clock::duration SendSchedule::backoff(int attempts) {
  using namespace std::chrono_literals;
  Clock::duration d = 500ms * (1 << std::min(std::max(attempts - 1, 0), 5));
  return std::min<Clock::duration>(d, 10s);
}

}  // namespace mdtc::bridge
