// The link's positions, written on a thread of their own. A save is a small
// transaction, but every thousandth or so also runs the file's checkpoint,
// whose fsyncs take milliseconds; on the link thread that delayed the next
// dispatch by as much (3-4 ms, 1 in 1,000 dispatches in the benchmark).
// Only the newest positions matter: an offer replaces one not yet written.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "position_store.h"

namespace mdtc::bridge {

class PositionSaver {
 public:
  explicit PositionSaver(std::unique_ptr<PositionStore> store);
  // Writes what is still pending, then stops.
  ~PositionSaver();
  PositionSaver(const PositionSaver&) = delete;
  PositionSaver& operator=(const PositionSaver&) = delete;

  // Read before the first offer, on the caller's thread.
  Result<std::vector<TopicPosition>> load() const { return store_->load(); }

  // Hands over positions to write; never waits for the disk.
  void offer(std::vector<TopicPosition> rows);

  // How the writes since the last call went: nullopt when none finished
  // since, else the last one's outcome.
  std::optional<Status> take_outcome();

  // Waits until everything offered so far is written (tests, stop).
  void flush();

 private:
  void run();

  std::unique_ptr<PositionStore> store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::vector<TopicPosition>> pending_;  // guarded by mu_
  bool writing_ = false;                                // guarded by mu_
  bool stopping_ = false;                               // guarded by mu_
  std::optional<Status> outcome_;                       // guarded by mu_
  std::thread thread_;
};

}  // namespace mdtc::bridge
