#include "mdtc/state_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "mdtc/private_file.h"

namespace mdtc {
namespace {

// The "pid N, account X" its holder wrote into the lock file.
std::string holder_of(int fd) {
  char text[256] = {};
  const ssize_t n = ::pread(fd, text, sizeof text - 1, 0);
  std::string holder(text, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
  return holder;
}

}  // namespace

std::string StateLock::file_in(const std::string& dir, const std::string& unit) {
  return (std::filesystem::path(dir.empty() ? "." : dir) / ("plugin-" + unit + ".lock")).string();
}

Result<StateLock> StateLock::acquire(const std::string& dir, const std::string& unit, const std::string& who) {
  return acquire_file(file_in(dir, unit), who, "unit " + unit + " on " + (dir.empty() ? std::string(".") : dir));
}

Result<StateLock> StateLock::acquire_cache(const std::string& db_path, const std::string& unit, const std::string& who) {
  const std::filesystem::path db(db_path);
  // Named by the file's stem: a wipe leaves the lock, which must not name the cache's files.
  return acquire_file(file_in(db.parent_path().string(), "cache-" + db.stem().string()), "unit " + unit + ", " + who,
                      "the flag cache " + db_path);
}

Result<StateLock> StateLock::acquire_file(const std::string& path, const std::string& who, const std::string& what) {
  make_private_file(path);  // 0660 in the shared directory, so every member may lock it
  StateLock lock;
  lock.fd_ = ::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  if (lock.fd_ < 0) {
    lock.warning_ = "cannot open " + path + " (" + std::strerror(errno) +
                    "): a second plugin on this state would not be refused";
    return lock;
  }
  if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      lock.warning_ = "cannot lock " + path + " (" + std::strerror(err) + ")";
      ::close(lock.fd_);
      lock.fd_ = -1;
      return lock;
    }
    const std::string holder = holder_of(lock.fd_);
    return make_error("plugin.state_in_use",
                      "another mdt-coresponder plugin (" + (holder.empty() ? std::string("holder unknown") : holder) +
                          ") already runs " + what + ": one plugin per car; sign the other session out or stop the other host, "
                          "and this one starts at its next restart");
  }
  const std::string me = "pid " + std::to_string(::getpid()) + ", " + who + "\n";
  if (::ftruncate(lock.fd_, 0) != 0 || ::pwrite(lock.fd_, me.data(), me.size(), 0) < 0) {
    // The lock is held all the same; only the note of who holds it is missing.
  }
  return lock;
}

std::vector<std::string> StateLock::holders_in(const std::string& dir) {
  std::vector<std::string> holders;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("plugin-", 0) != 0 || entry.path().extension() != ".lock") continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
      const std::string who = holder_of(fd);
      holders.push_back(name + (who.empty() ? "" : " (" + who + ")"));
    }
    ::close(fd);
  }
  return holders;
}

StateLock::StateLock(StateLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), warning_(std::move(other.warning_)) {}

StateLock& StateLock::operator=(StateLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    warning_ = std::move(other.warning_);
  }
  return *this;
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

}  // namespace mdtc
