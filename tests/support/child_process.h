// Runs a program of this project as a child process for an integration test,
// with stdout and stderr to a file, and stops it (SIGTERM, then SIGKILL)
// when the test is done with it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mdtc::test {

class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& output_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Exit status once the child has exited within `timeout`, else nullopt.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL if it has not exited within `grace`. Returns the
  // exit status (128 + signal number when killed by a signal).
  int terminate(std::chrono::milliseconds grace = std::chrono::seconds(10));
  void kill_now();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Waits until some line of the file at `path` satisfies `pred`, or `timeout`
// passes. The file is re-read as it grows; it may not exist yet.
bool wait_for_line(const std::string& path, const std::function<bool(const std::string&)>& pred,
                   std::chrono::milliseconds timeout);

std::vector<std::string> read_lines(const std::string& path);

}  // namespace mdtc::test
