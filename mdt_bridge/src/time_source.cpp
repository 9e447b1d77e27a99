#include "mdtc/time_source.h"

namespace mdtc::bridge {
namespace {

class SteadyTime final : public TimeSource {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  duration wait_slice(time_point due) const override {
    const auto left = due - now();
    return left > duration::zero() ? left : duration::zero();
  }
};

}  // namespace

std::shared_ptr<const TimeSource> steady_time() {
  static const auto shared = std::make_shared<const SteadyTime>();
  return shared;
}

}  // namespace mdtc::bridge
