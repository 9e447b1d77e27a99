// Which of the plugin's files refuse writes now (a full or read-only disk),
// and the one status line the officer sees about it. A refused write is
// counted and logged at most once a minute, never once per attempt; the
// fault clears by itself when the files take writes again.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "mdtc/repeat_limiter.h"
#include "mdtc/result.h"
#include "pipeline.h"

namespace mdtc::plugin {

enum class DiskState { writable, full, read_only };

struct DiskCheck {
  DiskState state = DiskState::writable;
  uint64_t free_bytes = 0;
  std::string detail;  // "2.1 GiB free", "read-only file system", "no space left"
};

// statvfs and access(W_OK) on `dir`: whether a write could land there now.
DiskCheck check_directory(const std::string& dir);

class StorageWatch {
 public:
  using Clock = std::chrono::steady_clock;
  explicit StorageWatch(std::string dir) : dir_(std::move(dir)) {}

  // Thread-safe. `what` names the file ("journal", "audit", "outcomes");
  // `dropped` names the counter of what was lost with the write.
  void failed(const std::string& what, const Error& e, const std::string& dropped);
  void succeeded(const std::string& what);
  void count(const std::string& counter);  // one more of `counter`, nothing else
  // The CAD link's own view (its outbox and topic positions), polled.
  void set_link_fault(std::optional<std::string> fault);

  // The status to show when it differs from the last one returned. While a
  // file is faulted, the directory is checked every `recheck`; once it
  // takes writes, the files' faults are cleared (a write that still fails
  // raises them again).
  std::optional<StorageStatus> changed(Clock::time_point now,
                                       Clock::duration recheck = std::chrono::seconds(10));
  std::map<std::string, uint64_t> counters() const;

 private:
  StorageStatus current() const;  // under mu_
  const std::string dir_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> faults_;  // file -> error code
  std::optional<std::string> link_fault_;
  std::map<std::string, uint64_t> counters_;
  std::map<std::string, RepeatLimiter> log_limits_;  // by file
  Clock::time_point next_check_{};
  std::optional<StorageStatus> shown_;
};

}  // namespace mdtc::plugin
