// One plugin per unit's state. On a packaged car the vendor's host and the
// signed-in account's panel host may both load the plugin, and two accounts
// may be signed in at once; two plugins on one unit's journal, outbox and
// cache would answer the same dispatch twice and race each other's sync.
// So start() takes an exclusive flock(2) on `plugin-<unit>.lock` in the
// state directory (shared by the group, like the data files; per unit, as
// the journal and outbox are) and holds it until stop(); the second is
// refused with who holds it. The kernel drops the lock
// when its holder dies, so a crash never leaves a stale one behind.
#pragma once

#include <string>
#include <vector>

#include "mdtc/result.h"

namespace mdtc {

class StateLock {
 public:
  // Refused ("plugin.state_in_use") when another process holds the lock,
  // naming its pid and account as it wrote them. A lock file that cannot be
  // opened at all (a read-only disk, a file of another account with no
  // group access) is not a refusal: `warning` says so and the plugin runs.
  static Result<StateLock> acquire(const std::string& dir, const std::string& unit, const std::string& who);
  // The same for the flag cache at `db_path` (`plugin-cache-<file stem>.lock`
  // beside it): found from outside, a second unit configured on the same
  // cache started, and two plugins then synced, purged and audited one file.
  static Result<StateLock> acquire_cache(const std::string& db_path, const std::string& unit, const std::string& who);

  StateLock() = default;
  StateLock(StateLock&& other) noexcept;
  StateLock& operator=(StateLock&& other) noexcept;
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  ~StateLock();

  bool held() const { return fd_ >= 0; }
  const std::string& warning() const { return warning_; }
  static std::string file_in(const std::string& dir, const std::string& unit);
  // The locks in `dir` a running plugin holds now, each named with its
  // holder ("plugin-2A31.lock (pid 812, account officer1)"): what an admin
  // command that replaces files under a plugin must not run beside.
  static std::vector<std::string> holders_in(const std::string& dir);

 private:
  static Result<StateLock> acquire_file(const std::string& path, const std::string& who, const std::string& what);
  int fd_ = -1;
  std::string warning_;
};

}  // namespace mdtc
