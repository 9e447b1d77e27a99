#include "sync_staging.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Object.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "json_access.h"

namespace mdtc::bridge {
namespace {

Error io_error(const std::string& path, const std::string& what) {
  return make_error("sync.staging", "staging file " + path + ": " + what + ": " + std::strerror(errno));
}

Status write_all(int fd, const char* p, std::size_t n, const std::string& path) {
  while (n > 0) {
    auto w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "write");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return Ok{};
}

std::optional<StagedFileId> read_description(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buf;
  buf << in.rdbuf();
  if (buf.str().size() > 4096) return std::nullopt;
  auto obj = json::parse_object(buf.str());
  if (!obj) return std::nullopt;
  const auto& o = *obj.value();
  StagedFileId id;
  const auto* version = json::find(o, "version");
  const auto* mode = json::find(o, "mode");
  const auto* sha = json::find(o, "sha256");
  const auto* total = json::find(o, "total");
  if (!version || !mode || !sha || !total) return std::nullopt;
  auto v = json::as_int(*version);
  auto m = json::as_string(*mode);
  auto s = json::as_string(*sha);
  auto t = json::as_uint(*total);
  if (!v || !m || !s || !t) return std::nullopt;
  return StagedFileId{*v, *m, *s, *t};
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Poco::SHA2Engine e(Poco::SHA2Engine::SHA_256);
  e.update(data.data(), data.size());
  return Poco::DigestEngine::digestToHex(e.digest());
}

SyncStaging::SyncStaging(std::string base) : part_(base + ".part"), meta_(base + ".json") {}

SyncStaging::~SyncStaging() { close(); }

Status SyncStaging::write_description(const StagedFileId& id) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("v", 1);
  o.set("version", id.version);
  o.set("mode", id.mode);
  o.set("sha256", id.sha256);
  o.set("total", id.total);
  std::ostringstream out;
  o.stringify(out);
  const std::string text = out.str() + "\n";
  const std::string tmp = meta_ + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(tmp, "create");
  auto st = write_all(fd, text.data(), text.size(), tmp);
  if (st && ::fsync(fd) != 0) st = io_error(tmp, "fsync");
  ::close(fd);
  if (!st) return st;
  if (std::rename(tmp.c_str(), meta_.c_str()) != 0) return io_error(meta_, "rename");
  return Ok{};
}

Result<uint64_t> SyncStaging::begin(const StagedFileId& id) {
  close();
  id_ = id;
  size_ = 0;
  sha_ = std::make_unique<Poco::SHA2Engine>(Poco::SHA2Engine::SHA_256);

  struct stat st {};
  const bool same = read_description(meta_) == id && ::stat(part_.c_str(), &st) == 0 &&
                    S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= id.total;
  if (same) {
    fd_ = ::open(part_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) return io_error(part_, "open");
    // Seed the hash with what is already here.
    std::vector<char> buf(1 << 20);
    for (;;) {
      auto n = ::read(fd_, buf.data(), buf.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        auto e = io_error(part_, "read");
        close();
        return e;
      }
      if (n == 0) break;
      sha_->update(buf.data(), static_cast<std::size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return size_;
  }
  std::remove(part_.c_str());
  if (auto w = write_description(id); !w) return w.error();
  fd_ = ::open(part_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error(part_, "create");
  return uint64_t{0};
}

Status SyncStaging::append(uint64_t offset, std::string_view data) {
  if (fd_ < 0) return make_error("sync.staging", "staging file " + part_ + " is not open");
  if (offset != size_ || data.size() > id_.total - size_)
    return make_error("sync.staging", "chunk at " + std::to_string(offset) + " (" + std::to_string(data.size()) +
                                          " bytes) does not continue the " + std::to_string(size_) +
                                          " bytes held of " + std::to_string(id_.total));
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) return io_error(part_, "seek");
  if (auto st = write_all(fd_, data.data(), data.size(), part_); !st) return st;
  sha_->update(data.data(), data.size());
  size_ += data.size();
  return Ok{};
}

Result<bool> SyncStaging::verify() {
  if (fd_ < 0 || size_ != id_.total) return false;
  if (::fsync(fd_) != 0) return io_error(part_, "fsync");
  return Poco::DigestEngine::digestToHex(sha_->digest()) == id_.sha256;
}

void SyncStaging::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SyncStaging::discard() {
  close();
  std::remove(part_.c_str());
  std::remove(meta_.c_str());
  std::remove((meta_ + ".tmp").c_str());
  size_ = 0;
}

}  // namespace mdtc::bridge
