// A blocking multi-producer, single-consumer queue: the only way I/O threads
// hand work to the pipeline thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace mdtc::plugin {

template <class T>
class EventQueue {
 public:
  void push(T item) {
    {
      std::lock_guard lock(mu_);
      items_.push_back(std::move(item));
    }
    cv_.notify_one();
  }

  // The next item, or nullopt when `deadline` passes first.
  std::optional<T> pop_until(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_until(lock, deadline, [this] { return !items_.empty(); })) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  // The next item, waiting as long as it takes.
  T pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !items_.empty(); });
    T item = std::move(items_.front());
    items_.pop_front();
    return item;
  }

  void clear() {
    std::lock_guard lock(mu_);
    items_.clear();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<T> items_;
};

}  // namespace mdtc::plugin
