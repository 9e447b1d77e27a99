// Shared by the registry sync tests: the stub-registry program serving a
// directory on a free loopback port, export files published into it the way
// a registry does (written aside, renamed in), and a waiter for the status
// events a RegistrySync reports.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "child_process.h"
#include "mdtc/registry_sync.h"
#include "temp_dir.h"

namespace mdtc::test {

// stub-registry --serve, restartable on the same port.
class RegistryServer {
 public:
  explicit RegistryServer(const TempDir& dir, std::vector<std::string> extra = {});
  ~RegistryServer();

  const std::string& endpoint() const { return endpoint_; }
  const std::string& served_dir() const { return served_; }
  ChildProcess& process() { return *child_; }
  // Starts (again) with these extra arguments; waits for "ready".
  void start(std::vector<std::string> extra = {});
  std::string output() const;

 private:
  const TempDir& dir_;
  std::string served_, endpoint_, out_;
  int runs_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

// The generator's export text (fictional Springfield data).
std::string generated_export(int64_t premises, int64_t version, const std::string& mode, uint64_t seed = 1);
// Writes `text` as `dir/name` atomically.
void publish(const std::string& dir, const std::string& name, const std::string& text);

// Collects RegistrySync status reports; wait() blocks until one satisfies
// the predicate (checked against the latest report and every new one).
class StatusWaiter {
 public:
  bridge::RegistrySync::StatusHandler handler();
  bool wait(const std::function<bool(const bridge::RegistrySyncStatus&)>& pred,
            std::chrono::milliseconds timeout = std::chrono::seconds(60));
  bridge::RegistrySyncStatus latest();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bridge::RegistrySyncStatus latest_;
  std::vector<std::string> states_;
};

uint64_t counter(const bridge::RegistrySyncStatus& s, const std::string& name);

}  // namespace mdtc::test
