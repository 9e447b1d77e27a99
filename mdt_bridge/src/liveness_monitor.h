// When to tell the plugin the CAD link is up or down. Pure: the caller says
// when something was heard and what time it is.
#pragma once

#include <chrono>
#include <optional>

#include "mdtc/bridge.h"

namespace mdtc::bridge {

class LivenessMonitor {
 public:
  using Clock = std::chrono::steady_clock;

  // `repeat`: how often a link that stays down is reported again, with the
  // silence grown ("CAD link down 40 s", then "... 50 s").
  LivenessMonitor(std::chrono::seconds timeout, Clock::time_point start,
                  std::chrono::seconds repeat = std::chrono::seconds(10));

  // Anything arrived from the gateway. Returns a status when the link
  // comes up (first contact, or back from down).
  std::optional<LinkStatus> heard(Clock::time_point now);
  // Returns a status when the link has just gone silent for `timeout`, or
  // when a down link is due to be reported again.
  std::optional<LinkStatus> check(Clock::time_point now);
  bool up() const { return up_; }

 private:
  std::chrono::seconds timeout_, repeat_;
  Clock::time_point last_heard_;
  Clock::time_point last_down_report_{};
  bool up_ = false;
  bool reported_ = false;
};

}  // namespace mdtc::bridge
