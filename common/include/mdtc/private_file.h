// Files that hold call data (incident journal, outbox, outcomes, the flag
// cache, logs) get an exact mode whatever umask the host runs with: 0600 in
// an account's own directory, 0660 in a group-shared state directory
// (shared_state.h), set before SQLite or a log channel opens them; an
// existing one of ours is set to that mode too. SQLite gives a database's
// -wal, -shm and -journal the main file's mode, so they follow. A directory
// the plugin writes in is narrowed to 0700 when it is the plugin's own and
// not shared with a group.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "mdtc/shared_state.h"

namespace mdtc {

// Best effort: a file that cannot be created here (a read-only disk) is
// reported by whatever opens it next, in its own words. A file another
// account owns keeps its mode (only its owner may change it).
inline void make_private_file(const std::string& path) {
  const auto dir = parent_dir_mode(path);
  const unsigned want = data_file_mode(dir ? dir->mode : 0);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, want);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) != want && st.st_uid == ::geteuid())
    (void)::fchmod(fd, want);
  ::close(fd);
}

inline void make_private_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) return;
  // Never narrow a shared directory such as /tmp (sticky) or one others own,
  // nor the package's group-shared state directory.
  if ((st.st_mode & S_ISVTX) != 0 || is_group_shared_dir_mode(st.st_mode)) return;
  if ((st.st_mode & 077) != 0) (void)::chmod(dir.c_str(), 0700);
}

}  // namespace mdtc
