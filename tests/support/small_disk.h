// A real small file system for disk-fault tests: a tmpfs of a few MiB
// mounted on a fresh directory, which a test can fill to the last byte,
// free again, or remount read-only. Needs the right to mount (root in CI);
// where it is missing, available() is false and the test skips.
#pragma once

#include <string>

namespace mdtc::test {

class SmallDisk {
 public:
  explicit SmallDisk(int size_kib = 2048);
  ~SmallDisk();
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool available() const { return mounted_; }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

  // Writes a filler file until the file system refuses with ENOSPC.
  void fill();
  // Removes the filler: space returns.
  void free_space();
  void read_only(bool on);

 private:
  std::string path_;
  bool mounted_ = false;
};

}  // namespace mdtc::test
