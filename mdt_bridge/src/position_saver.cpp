#include "position_saver.h"

#include <utility>

namespace mdtc::bridge {

PositionSaver::PositionSaver(std::unique_ptr<PositionStore> store)
    : store_(std::move(store)), thread_([this] { run(); }) {}

PositionSaver::~PositionSaver() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void PositionSaver::offer(std::vector<TopicPosition> rows) {
  {
    std::lock_guard lock(mu_);
    pending_ = std::move(rows);
  }
  cv_.notify_all();
}

std::optional<Status> PositionSaver::take_outcome() {
  std::lock_guard lock(mu_);
  return std::exchange(outcome_, std::nullopt);
}

void PositionSaver::flush() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !pending_ && !writing_; });
}

void PositionSaver::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return pending_ || stopping_; });
    // Stopping still writes what is pending: the last positions before a
    // clean stop are the ones a restart should resume from.
    if (!pending_) return;
    std::vector<TopicPosition> rows = std::move(*pending_);
    pending_.reset();
    writing_ = true;
    lock.unlock();
    Status saved = store_->save(rows);
    lock.lock();
    writing_ = false;
    outcome_ = std::move(saved);
    cv_.notify_all();
  }
}

}  // namespace mdtc::bridge
