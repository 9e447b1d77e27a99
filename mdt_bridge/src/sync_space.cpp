// Whether an offered file fits on the cache's disk before a byte of it is
// fetched. The staging file, the cache, its WAL, the outbox of co-responder
// requests and the incident journal share one file system: a sync that
// filled it would cost the requests and the journal their durability, so
// an offer is taken only if it leaves the reserve free (docs/protocol.md,
// "Disk space").
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "mdtc/registry_sync.h"
#include "registry_transfer.h"
#include "sync_staging.h"

namespace mdtc::bridge {
namespace {

// The description and the key: a block each, at least.
constexpr uint64_t kStagingSmallFiles = 2 * 4096;

uint64_t sealed_bytes(uint64_t total, uint64_t chunk) {
  const uint64_t records = total == 0 ? 0 : (total + chunk - 1) / chunk;
  return total + records * kStagedRecordOverhead;
}

uint64_t file_bytes(const std::string& path) {
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace

SyncSpace sync_space_rule(const SyncMessage& offer, uint64_t chunk, uint64_t held, uint64_t stale,
                          uint64_t cache_bytes, uint64_t free, uint64_t reserve) {
  SyncSpace s;
  s.held = held;
  s.stale = stale;
  s.free = free;
  s.reserve = reserve;
  const uint64_t staged = sealed_bytes(offer.total, std::max<uint64_t>(chunk, 1)) + kStagingSmallFiles;
  s.stage = staged > held ? staged - held : 0;
  // What is imported is the file as written (an encoded stream's
  // content_total when said; its wire size otherwise, which is too low by
  // the compression ratio: the reserve is what absorbs that).
  const uint64_t file = std::max(offer.total, offer.content_total);
  const uint64_t pages = file + file / 2;
  if (offer.mode == "snapshot")
    s.import = pages + (pages > cache_bytes ? pages - cache_bytes : 0);
  else
    s.import = 2 * pages;
  return s;
}

Result<SyncSpace> sync_space(const RegistrySyncOptions& options, const SyncMessage& offer) {
  std::string dir = std::filesystem::path(options.staging_path).parent_path().string();
  if (dir.empty()) dir = ".";
  struct statvfs fs {};
  if (::statvfs(dir.c_str(), &fs) != 0)
    return make_error("sync.staging", "cannot examine the staging directory " + dir + ": " + std::strerror(errno));
  const uint64_t free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  const SyncStaging staging(options.staging_path);
  const StagingOnDisk on_disk = staging.on_disk(staged_id(offer));
  const uint64_t cache = file_bytes(options.cache_path);
  return sync_space_rule(offer, transfer_chunk(offer, options), on_disk.same ? on_disk.bytes : 0,
                         on_disk.same ? 0 : on_disk.bytes, cache, free, options.min_free_bytes);
}

std::string mib_words(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return text;
}

std::string sync_space_words(const SyncSpace& s) {
  std::string w = "needs " + mib_words(s.needed()) + " (" + mib_words(s.stage) + " to stage" +
                  (s.held ? " beyond the " + mib_words(s.held) + " already staged" : std::string()) + ", " +
                  mib_words(s.import) + " for the import) and keeps " + mib_words(s.reserve) +
                  " free for the outbox and the incident journal; " + mib_words(s.free) + " is free";
  if (s.stale) w += " (and " + mib_words(s.stale) + " staged for another file would go)";
  return w;
}

}  // namespace mdtc::bridge
