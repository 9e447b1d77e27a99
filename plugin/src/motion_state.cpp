#include "motion_state.h"

namespace mdtc::plugin {

void MotionTracker::on_fix(std::optional<double> speed_mps, int64_t now_ms) {
  if (!speed_mps) return;
  last_fix_ms_ = now_ms;
  if (*speed_mps * 3.6 >= options_.lock_speed_kmh) last_fast_ms_ = now_ms;
}

PanelMotion MotionTracker::state(int64_t now_ms) const {
  PanelMotion m;
  m.lock_speed_kmh = options_.lock_speed_kmh;
  m.unlock_after_s = options_.unlock_after_s;
  if (!last_fix_ms_) {
    m.gps = "none";
    return m;
  }
  if (now_ms - *last_fix_ms_ > int64_t{options_.stale_after_s} * 1000) {
    m.gps = "stale";
    return m;
  }
  m.gps = "fresh";
  // Moving while the latest fix is fast, and until the car has stayed
  // slow for unlock_after_s: a stop at a red light keeps the lock.
  m.moving = last_fast_ms_ && (*last_fast_ms_ == *last_fix_ms_ ||
                               now_ms - *last_fast_ms_ < int64_t{options_.unlock_after_s} * 1000);
  return m;
}

}  // namespace mdtc::plugin
