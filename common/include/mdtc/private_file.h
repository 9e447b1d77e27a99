// Files that hold call data (incident journal, outbox, outcomes, the flag
// cache, logs) are their owner's alone, whatever umask the MDT host runs
// with: each is created 0600 before SQLite or a log channel opens it, and
// an existing one is narrowed to 0600. SQLite gives a database's -wal and
// -shm the main file's mode, so they follow. A directory the plugin writes
// in is narrowed to 0700 when it is the plugin's own.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

namespace mdtc {

// Best effort: a file that cannot be created here (a read-only disk) is
// reported by whatever opens it next, in its own words.
inline void make_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) (void)::fchmod(fd, 0600);
  ::close(fd);
}

inline void make_private_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) return;
  // Never narrow a shared directory such as /tmp (sticky) or one others own.
  if ((st.st_mode & S_ISVTX) != 0) return;
  if ((st.st_mode & 077) != 0) (void)::chmod(dir.c_str(), 0700);
}

}  // namespace mdtc
