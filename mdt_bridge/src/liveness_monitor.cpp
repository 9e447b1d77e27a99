#include "liveness_monitor.h"

namespace mdtc::bridge {

LivenessMonitor::LivenessMonitor(std::chrono::seconds timeout, Clock::time_point start,
                                 std::chrono::seconds repeat)
    : timeout_(timeout), repeat_(repeat), last_heard_(start) {}

std::optional<LinkStatus> LivenessMonitor::heard(Clock::time_point now) {
  last_heard_ = now;
  if (up_) return std::nullopt;
  up_ = true;
  reported_ = true;
  return LinkStatus{true, 0, "CAD link up"};
}

std::optional<LinkStatus> LivenessMonitor::check(Clock::time_point now) {
  auto silent = std::chrono::duration_cast<std::chrono::seconds>(now - last_heard_);
  if (silent < timeout_) return std::nullopt;
  // Never heard at all also counts as down, once the timeout has passed.
  bool transition = up_ || !reported_;
  if (!transition && now - last_down_report_ < repeat_) return std::nullopt;
  up_ = false;
  reported_ = true;
  last_down_report_ = now;
  return LinkStatus{false, silent.count(), "CAD link down " + std::to_string(silent.count()) + " s"};
}

}  // namespace mdtc::bridge
