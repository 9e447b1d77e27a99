#include "small_disk.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace mdtc::test {

SmallDisk::SmallDisk(int size_kib) {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/mdtc-disk-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
  const std::string opts = "size=" + std::to_string(size_kib) + "k,mode=0755";
  mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, opts.c_str()) == 0;
}

SmallDisk::~SmallDisk() {
  if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void SmallDisk::fill() {
  const int fd = ::open(file(".filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) throw std::runtime_error("cannot create the filler");
  std::vector<char> block(4096, 'x');
  // Down to single bytes, so not even a small page fits afterwards.
  for (std::size_t n = block.size(); n > 0; n /= 2)
    while (::write(fd, block.data(), n) == static_cast<ssize_t>(n)) {
    }
  ::close(fd);
}

void SmallDisk::free_space() { ::unlink(file(".filler").c_str()); }

void SmallDisk::read_only(bool on) {
  const unsigned long flags = MS_REMOUNT | (on ? MS_RDONLY : 0);
  if (::mount("tmpfs", path_.c_str(), "tmpfs", flags, nullptr) != 0)
    throw std::runtime_error("remount failed: " + std::to_string(errno));
}

}  // namespace mdtc::test
