#include "storage_watch.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <Poco/Logger.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace mdtc::plugin {
namespace {

// Below this a SQLite commit (a WAL frame, a page) may not fit.
constexpr uint64_t kFullBelowBytes = 256 * 1024;

std::string size_words(uint64_t bytes) {
  char text[32];
  if (bytes >= (uint64_t{1} << 30))
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1 << 30));
  else
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

}  // namespace

DiskCheck check_directory(const std::string& dir) {
  DiskCheck c;
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0) {
    c.state = DiskState::read_only;
    c.detail = "cannot be examined: " + std::string(std::strerror(errno));
    return c;
  }
  c.free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  if ((fs.f_flag & ST_RDONLY) != 0) {
    c.state = DiskState::read_only;
    c.detail = "read-only file system";
  } else if (::access(dir.c_str(), W_OK) != 0) {
    c.state = DiskState::read_only;
    c.detail = "not writable: " + std::string(std::strerror(errno));
  } else if (c.free_bytes < kFullBelowBytes) {
    c.state = DiskState::full;
    c.detail = "full: " + size_words(c.free_bytes) + " free";
  } else {
    c.detail = size_words(c.free_bytes) + " free";
  }
  return c;
}

void StorageWatch::failed(const std::string& what, const Error& e, const std::string& dropped) {
  std::lock_guard lock(mu_);
  faults_[what] = e.code;
  ++counters_["storage.faults"];
  if (!dropped.empty()) ++counters_[dropped];
  // Each file's own limit: one file's failures must not hide another's
  // (the journal's line used to take the minute the audit's needed).
  if (auto n = log_limits_[what].occur(Clock::now()))
    Poco::Logger::get("mdtc.plugin.storage")
        .error("%s not written: %s (%s refused write(s) since the last line)", what, e.message,
               std::to_string(*n));
}

void StorageWatch::count(const std::string& counter) {
  std::lock_guard lock(mu_);
  ++counters_[counter];
}

void StorageWatch::succeeded(const std::string& what) {
  std::lock_guard lock(mu_);
  faults_.erase(what);
}

void StorageWatch::set_link_fault(std::optional<std::string> fault) {
  std::lock_guard lock(mu_);
  link_fault_ = std::move(fault);
}

StorageStatus StorageWatch::current() const {
  StorageStatus s;
  if (faults_.empty() && !link_fault_) return s;
  s.ok = false;
  const DiskCheck disk = check_directory(dir_);
  const bool read_only = disk.state == DiskState::read_only ||
                         (link_fault_ && link_fault_->rfind("storage.read_only", 0) == 0);
  s.title = read_only ? "STORAGE READ-ONLY" : "STORAGE FULL";
  s.detail = std::string(read_only ? "The MDT's disk is read-only" : "The MDT's disk is full") +
             ": requests still go to CAD but are not kept if the MDT restarts";
  if (faults_.count("audit"))
    s.detail += "; the audit log waits in memory for the flags shown now (written when space returns, lost if "
                "the MDT restarts first)";
  return s;
}

std::optional<StorageStatus> StorageWatch::changed(Clock::time_point now, Clock::duration recheck) {
  std::lock_guard lock(mu_);
  if (!faults_.empty() && now >= next_check_) {
    next_check_ = now + recheck;
    if (check_directory(dir_).state == DiskState::writable) faults_.clear();
  }
  StorageStatus s = current();
  if (s.ok && !shown_) return std::nullopt;
  if (shown_ && shown_->ok == s.ok && shown_->title == s.title && shown_->detail == s.detail) return std::nullopt;
  if (s.ok) {
    log_limits_.clear();
    Poco::Logger::get("mdtc.plugin.storage").notice("storage writable again");
  }
  shown_ = s;
  return s;
}

std::map<std::string, uint64_t> StorageWatch::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace mdtc::plugin
