// The plugin's link to the flag registry over ZeroMQ, sync protocol v1
// (docs/protocol.md, "Flag registry sync"): a DEALER socket (identity = unit
// id) asks the registry's ROUTER what comes after the version the cache
// holds, fetches the file in chunks into a staging file beside the cache
// (sealed with AES-256-GCM, resuming after an interruption) and hands it to
// the cache to import as it is read back and verified (SHA-256), until the registry says the cache
// is up to date. It knows nothing of
// the cache: the owner passes callbacks. No ZeroMQ or JSON library type
// appears here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/byte_source.h"
#include "mdtc/result.h"
#include "mdtc/time_source.h"

namespace mdtc::bridge {

inline constexpr int kSyncProtocolVersion = 1;
// The JSON frame of any sync message, and the data frame of one chunk.
inline constexpr std::size_t kMaxSyncMessageBytes = 4096;
inline constexpr std::size_t kMaxChunkBytes = 1 << 20;
// Transfer encodings (docs/protocol.md, "Encodings"): the file as written,
// or one zstd stream of it.
inline constexpr const char* kIdentityEncoding = "identity";
inline constexpr const char* kZstdEncoding = "zstd";

// One sync message, either direction. Which fields mean something depends on
// `type` (table in docs/protocol.md); the rest keep their defaults.
struct SyncMessage {
  std::string type;  // sync, fetch (unit -> registry); up_to_date, offer, chunk, error
  std::string req;   // request id; every reply echoes the request's
  std::string unit;  // sync: informational (the routing id is the identity)
  std::optional<int64_t> have;  // sync: the version the unit holds; none = nothing yet
  std::string want = "next";    // sync: "next" or "snapshot"
  // sync: the encodings the unit takes, preferred first; empty = not said
  // (a unit from before compressed transfer), which means identity only.
  std::vector<std::string> accept_encoding;
  int64_t version = 0;          // offer, chunk, fetch, up_to_date
  std::string mode;             // "snapshot" or "delta": offer, chunk, fetch
  std::string sha256;           // 64 lower-case hex digits of the whole file as written (what is imported)
  uint64_t total = 0;           // offer, chunk: bytes on the wire (the encoded file)
  // offer, fetch, chunk: how the bytes on the wire are encoded. Any other
  // than identity comes with wire_sha256, the SHA-256 of those bytes.
  std::string encoding = kIdentityEncoding;
  std::string wire_sha256;
  uint64_t content_total = 0;   // offer, encoded: bytes of the file as written; 0 = unsaid
  uint64_t offset = 0;          // fetch, chunk
  uint64_t length = 0;          // fetch: bytes wanted (1..kMaxChunkBytes)
  uint64_t chunk_bytes = 0;     // offer: the largest chunk the registry sends (1..kMaxChunkBytes); 0 = unsaid
  std::string code, message;    // error
};

// Pure: the JSON frame -> SyncMessage, or an Error whose code names the
// reason ("sync.bad_json", "sync.bad_version", "sync.unknown_type",
// "sync.missing_field", "sync.bad_type", "sync.bad_value", "sync.too_large").
// Unknown fields are ignored.
Result<SyncMessage> decode_sync_message(std::string_view body,
                                        std::size_t max_bytes = kMaxSyncMessageBytes);
// The JSON frame for `m` (with "v":1); only the fields its type uses.
std::string encode_sync_message(const SyncMessage& m);

struct RegistrySyncOptions {
  std::string endpoint;  // the registry's ROUTER, e.g. tcp://registry.example:5560
  std::string identity;  // routing id: the unit id (1-64 letters, digits, '-', '_')
  std::string server_public_key;  // Z85; empty = CURVE off
  std::string client_public_key;  // Z85
  std::string client_secret_key;  // Z85
  // Files being fetched are kept at `staging_path + ".part"`, described by
  // `staging_path + ".json"`, so a transfer resumes where it stopped. Each
  // chunk is sealed (AES-256-GCM) under a random key made per transfer and
  // kept in `staging_path + ".key"` (0600); the three files go together when
  // the file is imported, refused or wiped. Put it beside the cache (same
  // directory, same protection).
  std::string staging_path;
  // The cache file the import grows (its WAL beside it): how large it is
  // already lowers the room a snapshot needs (sync_space_rule). Empty: as
  // for a new cache, the most room.
  std::string cache_path;
  // Free space the sync never takes on the cache's file system: the outbox
  // of co-responder requests and the incident journal live there and must
  // keep room to be written. An offer that would leave less is not fetched
  // (sync.no_space).
  uint64_t min_free_bytes = uint64_t{64} << 20;
  int interval_s = 300;             // ask again this long after being up to date
  int request_timeout_ms = 10000;   // no reply for this long = the link is dead
  int backoff_initial_ms = 1000;    // after a failure, doubling ...
  int backoff_max_ms = 60000;       // ... up to this (and never beyond interval_s)
  // A larger offer is refused unfetched; 0 = no limit but the disk. The
  // import streams from the staging file, so memory does not set a limit.
  uint64_t max_file_bytes = 0;
  uint32_t chunk_bytes = 256 << 10;               // asked per fetch (<= kMaxChunkBytes)
  // Advertised in every sync, preferred first. Empty: nothing is said, as a
  // unit from before compressed transfer, and files come as written.
  std::vector<std::string> accept_encodings{kZstdEncoding, kIdentityEncoding};
  int window = 4;                                 // fetches in flight
  // The steady time behind request timeouts, the interval and backoff (and
  // run_once's and probe's timeouts); null = the system's steady clock.
  std::shared_ptr<const TimeSource> time;
};

// A reader of a zstd-compressed file that hands out the file as written, a
// piece at a time, in bounded memory (one output buffer and a window of at
// most kMaxZstdWindowBytes, whatever the file's size). `compressed` is read
// as needed and must outlive it. verify() is `compressed`'s verdict first
// (the bytes are the ones sent), then whether the stream ended with a whole
// frame, decompressed to `content_total` bytes (0: unsaid) and, unless
// `sha256` is empty, hashes to it (sync.verify_failed otherwise). Data that
// is not valid zstd is sync.bad_encoding, reported by next() once the rest of
// `compressed` has been read and found to be the bytes sent (otherwise its
// own error, e.g. sync.verify_failed: a transfer fault, not bad data).
inline constexpr std::size_t kMaxZstdWindowBytes = std::size_t{1} << 23;
std::unique_ptr<ByteSource> zstd_decoding_source(ByteSource& compressed, std::string sha256,
                                                 uint64_t content_total = 0);

struct RegistrySyncStatus {
  // idle (not started), connecting, checking, transferring, applying,
  // current, rejected (the offered file was refused, or failed verification
  // twice in a row; waits for the next interval), failed (waiting to retry after a backoff), halted, stopped.
  std::string state = "idle";
  std::optional<int64_t> version;  // what the cache held when last asked
  std::optional<int64_t> registry_version;  // the latest the registry named
  std::string last_success;  // RFC 3339 UTC: the last time the registry said "up to date"
  std::string last_error;    // a sentence; empty after a success
  // Its id (docs/protocol.md, "Error ids"): sync.*, or the cache's own
  // registry.* code for a refused file. A registry's error code never
  // becomes an id of its own unless the protocol names it.
  std::string last_error_code;
  // The transfer whose bytes are held: running, or kept sealed to resume.
  // Cleared once its staging is deleted (applied, refused, gone, failed
  // verification, given back for space), so no report shows a transfer
  // that no longer exists.
  int64_t transfer_version = 0;
  std::string transfer_mode;
  uint64_t transfer_bytes = 0, transfer_total = 0;
  std::map<std::string, uint64_t> counters;
  // What the sync noticed and worked around, in words, newest last (at most
  // kMaxSyncWarnings): a staging key refused and the held bytes discarded,
  // staged chunks that failed to open, a registry behind the cache. Also
  // logged; here so that a caller without a log (cache sync) can say them.
  std::vector<std::string> warnings;
};
inline constexpr std::size_t kMaxSyncWarnings = 16;

// Whether an offered file fits on the cache's disk (docs/protocol.md, "Disk
// space"). Everything in bytes.
struct SyncSpace {
  uint64_t stage = 0;    // what the staging file still grows by: the rest of the stream, sealed
  uint64_t import = 0;   // what the import adds to the cache and its WAL at its peak
  uint64_t held = 0;     // staged for this same offer already (kept to resume)
  uint64_t stale = 0;    // staged for another file: deleted when this one starts
  uint64_t free = 0;     // free on the cache's file system for the plugin's user
  uint64_t reserve = 0;  // RegistrySyncOptions::min_free_bytes
  uint64_t needed() const { return stage + import; }
  // Free space once the stale staging is gone, less what the offer needs.
  bool fits() const { return free + stale >= needed() + reserve; }
  // When it does not fit, whether the bytes held for this offer go too:
  // only while they eat into the reserve (free below it). Above it they
  // harm nobody and save the fetch once room is made.
  bool drop_held() const { return !fits() && held > 0 && free < reserve; }
};

// The rule, pure. `chunk` is the chunk size the transfer asks for; a
// staged record adds kStagedRecordOverhead to each. The import of a file
// of N bytes writes about 4N/3 bytes of cache pages (measured: a 29 MB
// snapshot makes a 39 MB cache), counted as 3N/2: all of them into the WAL
// first, then, for a snapshot, into the cache file, which grows where the
// new data outgrows it (`cache_bytes`). A delta's pages are counted twice
// (WAL, then the file), whatever the cache's size.
inline constexpr uint64_t kStagedRecordOverhead = 40;
SyncSpace sync_space_rule(const SyncMessage& offer, uint64_t chunk, uint64_t held, uint64_t stale,
                          uint64_t cache_bytes, uint64_t free, uint64_t reserve);
// The rule applied to the disk now: the staging files beside the cache (are
// they this offer's?), the cache's size, statvfs of its directory. Errors:
// sync.staging (the directory cannot be examined).
Result<SyncSpace> sync_space(const RegistrySyncOptions& options, const SyncMessage& offer);
// "needs 73.1 MiB (29.0 MiB to stage, 44.1 MiB for the import) and keeps
// 64.0 MiB free; 18.2 MiB is free": the numbers, in words.
std::string sync_space_words(const SyncSpace& space);
std::string mib_words(uint64_t bytes);

// Owns the socket and, once started, a thread. Callbacks run on that thread
// (or on the caller's, in run_once); they must not call back into this
// object except status().
class RegistrySync {
 public:
  // What the cache holds: the registry version (std::nullopt while it holds
  // nothing from the registry: a snapshot is needed), and whether it wants
  // the whole registry again though it could take the next delta (premises
  // read under older address rules). Then each cycle asks for a snapshot
  // first; one older than what the cache holds is not fetched, and the
  // deltas go on, so the cache never falls behind waiting for a snapshot.
  struct Holding {
    Holding(std::optional<int64_t> v = std::nullopt, bool snapshot = false)  // NOLINT: from a bare version
        : version(v), wants_snapshot(snapshot) {}
    std::optional<int64_t> version;
    bool wants_snapshot = false;
  };
  using CurrentVersion = std::function<Holding()>;
  // Import the staged file from `file`, read a piece at a time: each piece
  // is decrypted from the staging file as it is read, and the plaintext is
  // never on disk and never whole in memory. `file.verify()` after the last
  // byte says whether it is the file the registry offered; the import must
  // commit only if it says yes, and return its error otherwise (code
  // "sync.verify_failed": the file is discarded and fetched afresh; after a
  // second failure in a row it is not fetched again in this run).
  // cache::Cache::import_stream does exactly this. An error whose code
  // starts with "registry." means the file itself was refused: it is
  // deleted and not fetched again in this run. Any other error is local
  // (cache unavailable): the file is kept, sealed, and applied later.
  using Apply = std::function<Status(ByteSource& file, int64_t version, const std::string& mode)>;
  // The registry said the cache is current: the owner may record that it
  // heard from the registry (freshness). Optional.
  using Confirm = std::function<void(int64_t version)>;
  using StatusHandler = std::function<void(const RegistrySyncStatus&)>;

  RegistrySync(RegistrySyncOptions options, CurrentVersion current, Apply apply,
               Confirm confirm = {}, StatusHandler on_status = {});
  ~RegistrySync();
  RegistrySync(const RegistrySync&) = delete;
  RegistrySync& operator=(const RegistrySync&) = delete;

  // Validates the options, then syncs in the background: at once, then every
  // interval_s, retrying failures with backoff.
  Status start();
  void stop();  // safe to call twice; waits for an import in progress

  void sync_now();  // skip the rest of the current wait
  // For the rest of this object's life: abandon any transfer, delete the
  // staging files and forget what was refused or failed verification;
  // returns once no import is running, so the caller may erase what was
  // imported. Thread-safe.
  void halt(const std::string& reason);

  // One sync on the calling thread, without start(): until up to date, or
  // the first failure (no retries), or `timeout`. The returned status says
  // which (state "current" on success).
  RegistrySyncStatus run_once(std::chrono::milliseconds timeout);

  // Asks the registry once what comes after the version the cache holds and
  // returns its answer (up_to_date, offer or error) without fetching
  // anything: the doctor's check of the link. Errors: sync.config,
  // sync.socket, sync.timeout, sync.handshake, sync.busy (started).
  Result<SyncMessage> probe(std::chrono::milliseconds timeout);

  RegistrySyncStatus status() const;
  // Only the state and the two versions: cheap enough for every lookup,
  // where status() would copy the counters and warnings each time.
  struct Standing {
    std::string state;
    std::optional<int64_t> version, registry_version;
  };
  Standing standing() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdtc::bridge
