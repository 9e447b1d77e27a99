// The audit chain: one hash-chained record for each panel that showed flags,
// in a file of its own beside the cache (audit_log_path). It is kept apart
// because SQLite empties a connection's page cache whenever another
// connection commits to the same file: with the chain inside the cache, each
// panel shown made the next lookup read the street index, flags and history
// pages again (p50 73 µs instead of 27 µs at 100,000 premises). Apart, an
// audit record also never waits for an import's write lock.
//
// The file names its chain with a random id made when the file is made; the
// cache file records the id of the chain it adopted, so a removed or
// replaced audit file is noticed by verify (find_break) rather than starting
// a chain nobody can tell from the first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mdtc/cache.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache {

class AuditLog {
 public:
  AuditLog() = default;  // no file: holds nothing, appends fail
  // Opens the chain's file; read-write creates it (mode `file_mode`) when
  // missing. Read-only with no file gives an empty log. Throws sql::SqlError.
  static AuditLog open(const std::string& path, bool read_only, unsigned file_mode);

  bool is_open() const { return static_cast<bool>(db_); }
  const std::string& chain_id() const { return chain_id_; }
  // Records held: the head's sequence number (the chain has no gaps, which
  // find_break checks).
  int64_t count();
  // Appends one record in its own transaction (synchronous=FULL). Throws.
  void append(const AuditEntry& entry, int64_t now);
  // Copies a chain kept inside a cache file (schema 6 and older) into this
  // file, record by record, skipping those already here, and takes its head:
  // a migration interrupted after this commit copies nothing twice.
  void adopt_from(sql::Db& cache_db);
  // A sentence naming the first broken link, a record altered or removed, or
  // a head that does not end the chain; nothing when the chain holds.
  std::optional<std::string> find_break();
  // Records that match, in chain order (flags by id only). Throws.
  std::vector<AuditRecord> records(const AuditQuery& query);

 private:
  sql::Db db_;
  std::string chain_id_;
};

}  // namespace mdtc::cache
