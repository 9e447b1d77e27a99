// Whether the car is moving, from GPS speed, for the panel document's
// `motion` member (docs/panel-format.md). Agencies lock MDT keyboards above
// about 15 mph and NHTSA asks in-vehicle displays for glances of at most two
// seconds, so while moving a host shows only the safety banner and the
// request action. Pure: fixes and times in, a state out.
#pragma once

#include <cstdint>
#include <optional>

#include "panel_document.h"

namespace mdtc::plugin {

struct MotionOptions {
  double lock_speed_kmh = 24;
  int unlock_after_s = 10;  // stopped this long before the full panel returns
  int stale_after_s = 10;   // an older fix says nothing about motion
};

class MotionTracker {
 public:
  explicit MotionTracker(MotionOptions options) : options_(options) {}
  // A fix without a speed (GGA alone) says nothing about motion and is ignored.
  void on_fix(std::optional<double> speed_mps, int64_t now_ms);
  // A stale or absent fix is never "moving": a car whose GPS failed must not
  // hide its flags for ever; the host shows the GPS state instead.
  PanelMotion state(int64_t now_ms) const;

 private:
  MotionOptions options_;
  std::optional<int64_t> last_fix_ms_;
  std::optional<int64_t> last_fast_ms_;  // last fix at or above the lock speed
};

}  // namespace mdtc::plugin
