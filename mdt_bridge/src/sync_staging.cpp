#include "sync_staging.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Object.h>
#include <Poco/SHA2Engine.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "json_access.h"
#include "mdtc/registry_sync.h"

namespace mdtc::bridge {
namespace {

// The description's format version. 1 was the plain-text staging file: a
// description of version 1 left by an older build never matches, so its
// plain text is deleted and the file fetched afresh.
constexpr int kDescriptionVersion = 2;

// A record: offset (8 bytes, big-endian), plaintext length (4 bytes,
// big-endian), then nonce || ciphertext || tag. The header is not secret;
// the offset is also bound into the tag through the associated data.
constexpr std::size_t kRecordHeader = 12;
static_assert(kRecordHeader + kStagingSealOverhead == kStagedRecordOverhead,
              "the disk space rule counts what a record adds to its chunk");

// A full disk (or quota) is its own code: the sync drops what it staged
// rather than keep the disk full (registry_transfer.cpp).
Error io_error(const std::string& path, const std::string& what) {
  const bool full = errno == ENOSPC || errno == EDQUOT;
  return make_error(full ? "sync.no_space" : "sync.staging",
                    "staging file " + path + ": " + what + ": " + std::strerror(errno));
}

uint64_t file_bytes(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  // Blocks taken, not the length: that is what the disk lost.
  return std::max<uint64_t>(static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_blocks) * 512);
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

// Reads up to n bytes at `offset`; fewer only at the end of the file.
Result<std::size_t> read_at(int fd, char* p, std::size_t n, uint64_t offset, const std::string& path) {
  std::size_t got = 0;
  while (got < n) {
    auto r = ::pread(fd, p + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return io_error(path, "read");
    }
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  return got;
}

void put_be(char* p, uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
}

uint64_t get_be(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
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
  const auto* v = json::find(o, "v");
  if (!v || json::as_int(*v) != kDescriptionVersion) return std::nullopt;
  const auto* version = json::find(o, "version");
  const auto* mode = json::find(o, "mode");
  const auto* sha = json::find(o, "sha256");
  const auto* total = json::find(o, "total");
  if (!version || !mode || !sha || !total) return std::nullopt;
  auto ver = json::as_int(*version);
  auto m = json::as_string(*mode);
  auto s = json::as_string(*sha);
  auto t = json::as_uint(*total);
  if (!ver || !m || !s || !t) return std::nullopt;
  StagedFileId id{*ver, *m, *s, *t, "identity", ""};
  // Absent in descriptions written before compressed transfer: identity.
  if (const auto* enc = json::find(o, "encoding")) {
    const auto* content = json::find(o, "content_sha256");
    auto e = json::as_string(*enc);
    auto c = content ? json::as_string(*content) : std::nullopt;
    if (!e || !c) return std::nullopt;
    id.encoding = *e;
    id.content_sha256 = *c;
  }
  return id;
}

// The key of a transfer in progress. Refused unless it is a regular file of
// exactly kStagingKeyBytes, owned by this user and closed to everybody
// else: a key others could read protects nothing.
Result<StagingKey> load_key(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return make_error("sync.staging_key", "staging key file " + path + " is missing");
    return io_error(path, "open");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    auto e = io_error(path, "stat");
    ::close(fd);
    return e;
  }
  auto refuse = [&](const std::string& why) -> Error {
    ::close(fd);
    return make_error("sync.staging_key", "staging key file " + path + " " + why);
  };
  if (!S_ISREG(st.st_mode)) return refuse("is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return refuse(std::string("has mode ") + mode + ": expected 0600 (readable by its owner only)");
  }
  if (st.st_uid != ::geteuid())
    return refuse("is owned by uid " + std::to_string(st.st_uid) + ", not by this process's uid " +
                  std::to_string(::geteuid()));
  if (st.st_size != static_cast<off_t>(kStagingKeyBytes))
    return refuse("is " + std::to_string(st.st_size) + " bytes: expected " + std::to_string(kStagingKeyBytes));
  StagingKey key{};
  auto n = read_at(fd, reinterpret_cast<char*>(key.data()), key.size(), 0, path);
  ::close(fd);
  if (!n) return n.error();
  if (*n != key.size()) {
    wipe_memory(key.data(), key.size());
    return make_error("sync.staging_key", "staging key file " + path + " changed size while being read");
  }
  return key;
}

// A new random key, in a file that did not exist (O_EXCL: never written
// through a link or into a file somebody else prepared).
Result<StagingKey> create_key(const std::string& path) {
  StagingKey key{};
  if (auto r = random_bytes(key.data(), key.size()); !r) return r.error();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    wipe_memory(key.data(), key.size());
    return io_error(path, "create");
  }
  auto st = write_all(fd, reinterpret_cast<const char*>(key.data()), key.size(), path);
  if (st && ::fsync(fd) != 0) st = io_error(path, "fsync");
  ::close(fd);
  if (!st) {
    std::remove(path.c_str());
    wipe_memory(key.data(), key.size());
    return st.error();
  }
  return key;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Poco::SHA2Engine e(Poco::SHA2Engine::SHA_256);
  e.update(data.data(), data.size());
  return Poco::DigestEngine::digestToHex(e.digest());
}

SyncStaging::SyncStaging(std::string base)
    : part_(base + ".part"), meta_(base + ".json"), key_path_(base + ".key") {}

SyncStaging::~SyncStaging() { close(); }

StagingOnDisk SyncStaging::on_disk(const StagedFileId& id) const {
  StagingOnDisk d;
  d.bytes = file_bytes(part_) + file_bytes(meta_) + file_bytes(meta_ + ".tmp") + file_bytes(key_path_);
  d.same = d.bytes > 0 && read_description(meta_) == id;
  return d;
}

std::string SyncStaging::aad(uint64_t offset) const {
  std::string a = "mdtc sync staging v" + std::to_string(kDescriptionVersion) + "\n" +
                  std::to_string(id_.version) + "\n" + id_.mode + "\n" + id_.sha256 + "\n" +
                  std::to_string(id_.total) + "\n" + std::to_string(offset);
  // Identity records are bound as before compressed transfer, so a transfer
  // staged by an older build still resumes.
  if (id_.encoding != "identity") a += "\n" + id_.encoding + "\n" + id_.content_sha256;
  return a;
}

Status SyncStaging::write_description(const StagedFileId& id) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("v", kDescriptionVersion);
  o.set("version", id.version);
  o.set("mode", id.mode);
  o.set("sha256", id.sha256);
  o.set("total", id.total);
  if (id.encoding != "identity") {
    o.set("encoding", id.encoding);
    o.set("content_sha256", id.content_sha256);
  }
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

// Opens every record in turn; the first that is torn (a write cut short by
// a crash) or does not open ends what is kept, and the file is cut there.
// Returns the plaintext bytes kept.
Result<uint64_t> SyncStaging::authenticate_held(uint64_t& rejected) {
  std::string sealed, plain;
  uint64_t pos = 0, held = 0;
  for (;;) {
    char head[kRecordHeader];
    auto n = read_at(fd_, head, sizeof head, pos, part_);
    if (!n) return n.error();
    if (*n < sizeof head) break;  // the end, or a torn header
    const uint64_t offset = get_be(head, 8);
    const uint64_t length = get_be(head + 8, 4);
    if (offset != held || length == 0 || length > kMaxChunkBytes || length > id_.total - held) {
      ++rejected;
      break;
    }
    sealed.resize(length + kStagingSealOverhead);
    n = read_at(fd_, sealed.data(), sealed.size(), pos + sizeof head, part_);
    if (!n) return n.error();
    if (*n < sealed.size()) break;  // torn
    plain.resize(length);
    auto opened = open_chunk(*key_, aad(offset), sealed, plain.data());
    if (!opened) return opened.error();
    if (!*opened) {
      ++rejected;
      break;
    }
    held += length;
    pos += sizeof head + sealed.size();
  }
  wipe_memory(plain.data(), plain.size());
  if (::ftruncate(fd_, static_cast<off_t>(pos)) != 0) return io_error(part_, "truncate");
  end_ = pos;
  return held;
}

Status SyncStaging::start_afresh(const StagedFileId& id) {
  std::remove(part_.c_str());
  // A new transfer, a new key: whatever was sealed with the old one is gone.
  std::remove(key_path_.c_str());
  auto key = create_key(key_path_);
  if (!key) return key.error();
  key_ = *key;
  wipe_memory(key->data(), key->size());
  if (auto w = write_description(id); !w) return w;
  fd_ = ::open(part_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) return io_error(part_, "create");
  return Ok{};
}

Result<StagingResume> SyncStaging::begin(const StagedFileId& id) {
  close();
  id_ = id;
  size_ = end_ = 0;
  StagingResume resume;

  struct stat st {};
  const bool same = read_description(meta_) == id && ::stat(part_.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  if (same) {
    auto key = load_key(key_path_);
    if (!key) {
      // Without its own key the file cannot be read; with a key others
      // could read, it may not be kept. Either way: fetch it again.
      resume.discarded = key.error().message;
    } else {
      key_ = *key;
      wipe_memory(key->data(), key->size());
      fd_ = ::open(part_.c_str(), O_RDWR | O_CLOEXEC);
      if (fd_ < 0) return io_error(part_, "open");
      auto held = authenticate_held(resume.chunks_rejected);
      if (!held) {
        auto e = held.error();
        close();
        return e;
      }
      size_ = resume.held = *held;
      return resume;
    }
  }
  if (auto s = start_afresh(id); !s) {
    close();
    return s.error();
  }
  return resume;
}

Status SyncStaging::append(uint64_t offset, std::string_view data) {
  if (fd_ < 0 || !key_) return make_error("sync.staging", "staging file " + part_ + " is not open");
  if (offset != size_ || data.size() > id_.total - size_)
    return make_error("sync.staging", "chunk at " + std::to_string(offset) + " (" + std::to_string(data.size()) +
                                          " bytes) does not continue the " + std::to_string(size_) +
                                          " bytes held of " + std::to_string(id_.total));
  while (!data.empty()) {
    const std::string_view piece = data.substr(0, kMaxChunkBytes);
    auto sealed = seal_chunk(*key_, aad(size_), piece);
    if (!sealed) return sealed.error();
    std::string record(kRecordHeader, '\0');
    put_be(record.data(), size_, 8);
    put_be(record.data() + 8, piece.size(), 4);
    record += *sealed;
    if (::lseek(fd_, static_cast<off_t>(end_), SEEK_SET) < 0) return io_error(part_, "seek");
    if (auto st = write_all(fd_, record.data(), record.size(), part_); !st) {
      // Leave no torn record behind the last whole one (should this fail
      // too, the next begin() cuts it off instead).
      if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) return st;
      return st;
    }
    end_ += record.size();
    size_ += piece.size();
    data.remove_prefix(piece.size());
  }
  return Ok{};
}

// Reads the staged records back in order, one at a time: opened, hashed,
// handed out. Whatever reads it (the cache's streaming import) holds one
// record of plaintext at a time and learns from verify(), after the last
// byte, whether the whole was the file the registry offered.
class SyncStaging::Reader : public ByteSource {
 public:
  explicit Reader(SyncStaging& s) : s_(s), hash_(EVP_MD_CTX_new()) { restart(); }
  ~Reader() override {
    wipe_memory(plain_.data(), plain_.size());
    EVP_MD_CTX_free(hash_);
  }

  Result<std::string_view> next() override {
    wipe_memory(plain_.data(), plain_.size());
    if (held_ == s_.id_.total) return std::string_view();
    char head[kRecordHeader];
    auto n = read_at(s_.fd_, head, sizeof head, pos_, s_.part_);
    if (!n) return n.error();
    if (*n < sizeof head) return altered("ends early");
    const uint64_t offset = get_be(head, 8);
    const uint64_t length = get_be(head + 8, 4);
    if (offset != held_ || length == 0 || length > kMaxChunkBytes || length > s_.id_.total - held_)
      return altered("names the wrong place");
    sealed_.resize(length + kStagingSealOverhead);
    n = read_at(s_.fd_, sealed_.data(), sealed_.size(), pos_ + sizeof head, s_.part_);
    if (!n) return n.error();
    if (*n < sealed_.size()) return altered("is torn");
    plain_.resize(length);
    auto opened = open_chunk(*s_.key_, s_.aad(offset), sealed_, plain_.data());
    if (!opened) return opened.error();
    if (!*opened) return altered("does not open");
    if (EVP_DigestUpdate(hash_, plain_.data(), plain_.size()) != 1)
      return make_error("sync.staging", "SHA-256 of " + s_.part_ + " failed");
    held_ += length;
    pos_ += sizeof head + sealed_.size();
    return std::string_view(plain_.data(), plain_.size());
  }

  Status rewind() override {
    restart();
    return Ok{};
  }

  Status verify() override {
    if (held_ != s_.id_.total)
      return make_error("sync.verify_failed", "staged file " + s_.part_ + ": " + std::to_string(held_) + " of " +
                                                  std::to_string(s_.id_.total) + " bytes were read");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(hash_, md, &len) != 1) return make_error("sync.staging", "SHA-256 failed");
    static const char* hex = "0123456789abcdef";
    std::string got;
    for (unsigned int i = 0; i < len; ++i) {
      got += hex[md[i] >> 4];
      got += hex[md[i] & 15];
    }
    restart_hash();
    if (got != s_.id_.sha256)
      return make_error("sync.verify_failed", s_.id_.mode + " version " + std::to_string(s_.id_.version) +
                                                  (s_.id_.encoding == "identity" ? "" : " (" + s_.id_.encoding + ")") +
                                                  " does not match its SHA-256 (" + got + ", offered " +
                                                  s_.id_.sha256 + ")");
    return Ok{};
  }

 private:
  Error altered(const std::string& why) {
    return make_error("sync.verify_failed",
                      "staged record at byte " + std::to_string(held_) + " of " + s_.part_ + " " + why);
  }
  void restart_hash() {
    if (!hash_ || EVP_DigestInit_ex(hash_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
  }
  void restart() {
    pos_ = held_ = 0;
    restart_hash();
  }

  SyncStaging& s_;
  EVP_MD_CTX* hash_;
  uint64_t pos_ = 0, held_ = 0;
  std::string sealed_, plain_;
};

Result<std::unique_ptr<ByteSource>> SyncStaging::reader() {
  if (fd_ < 0 || !key_ || size_ != id_.total)
    return make_error("sync.staging", "staging file " + part_ + " holds " + std::to_string(size_) + " of " +
                                          std::to_string(id_.total) + " bytes: nothing to read yet");
  // Kept on disk for a later attempt should the cache refuse to open now.
  if (::fsync(fd_) != 0) return io_error(part_, "fsync");
  return std::unique_ptr<ByteSource>(std::make_unique<Reader>(*this));
}

void SyncStaging::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (key_) wipe_memory(key_->data(), key_->size());
  key_.reset();
}

void SyncStaging::discard() {
  close();
  std::remove(part_.c_str());
  std::remove(meta_.c_str());
  std::remove((meta_ + ".tmp").c_str());
  std::remove(key_path_.c_str());
  size_ = end_ = 0;
}

}  // namespace mdtc::bridge
