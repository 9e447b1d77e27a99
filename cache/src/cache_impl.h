// What a Cache holds; shared by the files that implement its operations.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "audit_log.h"
#include "field_cipher.h"
#include "mdtc/address.h"
#include "mdtc/cache.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache {

using sql::Db;
using sql::SqlError;
using sql::Stmt;
using sql::Transaction;

// Resets its statement when it goes out of scope, so no cached statement
// holds a read transaction open between calls.
class StatementLease {
 public:
  explicit StatementLease(Stmt& s) : s_(s) {}
  ~StatementLease() { s_.reset(); }
  StatementLease(const StatementLease&) = delete;
  StatementLease& operator=(const StatementLease&) = delete;
  Stmt* operator->() { return &s_; }
  Stmt& operator*() { return s_; }

 private:
  Stmt& s_;
};

struct Cache::Impl {
  using Statements = std::map<std::string, std::unique_ptr<Stmt>, std::less<>>;

  OpenOptions options;
  std::string key_path;
  // Two connections: imports and maintenance write through `db`
  // under `mu`; match() reads through `reader` under `read_mu`. With WAL a
  // lookup never waits for a snapshot import, and sees the data before or
  // after it, whole. The cipher is shared: sealing happens only under `mu`,
  // opening only under `read_mu` (or `mu`), and they use separate contexts.
  Db db;
  Db reader;
  std::optional<FieldCipher> cipher;
  Key cipher_key{};  // for the cipher of an import's sealing thread
  std::mutex mu;
  std::mutex read_mu;
  // Prepared once per connection: a lookup would otherwise spend more time
  // compiling its five queries than running them.
  Statements statements;       // on db, under mu
  Statements read_statements;  // on reader, under read_mu

  std::atomic<int64_t> unparsed_queries{0};

  // The audit chain's own file and connection, under audit_mu. When the
  // file cannot be opened the cache still answers lookups (a flag missed is
  // worse than a record missed); audit() and verify() then say why.
  std::string audit_path;
  AuditLog audit_log;
  std::string audit_error;           // why audit_log is not open
  std::string audit_recovered_from;  // a corrupt audit file was moved here on open
  std::mutex audit_mu;
  void open_audit_log(const std::string& db_path, bool read_only);  // on open, before migrate
  // Why the audit file is not the chain this cache adopted (meta
  // audit_chain), or empty: cannot be opened, missing, replaced, or moved
  // aside as corrupt. Under audit_mu.
  std::string audit_identity_problem(const std::string& adopted) const;

  // The cities the premises carry, plus options.place_aliases: lets a query
  // without comma or state name its city. Rebuilt from `db` (under mu) on
  // open and after each import; a lookup takes the current one.
  void load_places(Db& from);
  // A read-only open (stats, verify, doctor, a match from the shell) reads
  // the places at its first lookup instead, through `reader` under read_mu:
  // on a large cache they are a scan of every premise, which stats would
  // otherwise pay for nothing. Under read_mu after open.
  bool places_deferred = false;
  std::shared_ptr<const Gazetteer> current_places() {
    std::lock_guard lock(places_mu);
    return places;
  }

  // When the registry was last synced, as the reader last read it, and the
  // reader's data_version then: meta is read again only after some other
  // connection has committed. Under read_mu.
  struct LastSync {
    int64_t data_version = -1;
    std::optional<int64_t> at;  // empty also while no complete snapshot is held
  };
  LastSync last_sync;
  // Today's date and the re-validation cutoff, as of UTC day `day`: they
  // change once a day, and formatting them cost a lookup about a microsecond.
  // Under read_mu.
  struct Dates {
    int64_t day = -1;
    int revalidate_days = -1;
    std::string today, cutoff;
  };
  Dates dates;
  std::optional<int64_t> read_last_sync();  // via reader, inside a read transaction

  std::string recovered() {
    std::lock_guard lock(state_mu);
    return recovered_from;
  }
  void set_recovered(std::string path) {
    std::lock_guard lock(state_mu);
    recovered_from = std::move(path);
  }

  using Lease = StatementLease;
  static Stmt& cached_in(Db& on, Statements& cache, const std::string& sql) {
    auto it = cache.find(sql);
    if (it == cache.end()) it = cache.emplace(sql, std::make_unique<Stmt>(on, sql)).first;
    it->second->reset();
    return *it->second;
  }
  Stmt& cached(const std::string& sql) { return cached_in(db, statements, sql); }
  Stmt& read_cached(const std::string& sql) { return cached_in(reader, read_statements, sql); }

  // Whether a complete snapshot was ever applied (then deltas may follow and
  // lookups may answer). Caches written before snapshot_version existed
  // count unless their last import is known to be a delta.
  static bool holds_snapshot(const std::optional<std::string>& snapshot_version,
                             const std::optional<std::string>& last_sync, const std::optional<std::string>& last_mode) {
    return snapshot_version || (last_sync && last_mode != "delta");
  }
  bool holds_snapshot() { return holds_snapshot(meta("snapshot_version"), meta("last_sync"), meta("last_mode")); }  // via db
  // A disk that fills must not also silence the record of the import it
  // refused: a few WAL frames stay allocated (and the WAL file is kept when
  // the cache closes), so the small rejection record is written into space
  // the file already has. Via db, under mu.
  void reserve_wal();
  std::optional<std::string> meta(const std::string& key);        // via db
  std::optional<std::string> read_meta(const std::string& key);   // via reader
  void set_meta(const std::string& key, const std::string& value);
  // What a purge counts as now: the last word from the registry, or the
  // clock if that reads earlier (via db).
  int64_t purge_as_of();

  Bytes seal(std::string_view plain, std::string_view aad) const { return cipher->seal(plain, aad); }
  // Empty input stays empty; a value that fails authentication reads as
  // std::nullopt (tampered row or wrong key).
  std::optional<std::string> open_sealed(const Bytes& sealed, std::string_view aad) const;
  std::optional<std::string> open_sealed(std::basic_string_view<unsigned char> sealed, std::string_view aad) const {
    return cipher->open(sealed, aad);
  }

  // A read transaction on `reader` (held under read_mu) for the lifetime of
  // the object: every query in it sees the same committed version.
  class ReadTransaction {
   public:
    explicit ReadTransaction(Impl& im) : im_(im) { im_.read_cached("BEGIN").run(); }
    ~ReadTransaction() {
      try {
        im_.read_cached("COMMIT").run();
      } catch (...) {
        sqlite3_exec(im_.reader.get(), "ROLLBACK", nullptr, nullptr, nullptr);
      }
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

   private:
    Impl& im_;
  };

 private:
  std::mutex places_mu;
  std::shared_ptr<const Gazetteer> places = std::make_shared<const Gazetteer>();
  std::mutex state_mu;
  std::string recovered_from;  // a corrupt file was moved here on open
};

// Flags past `expires` or not re-validated within revalidate_days, as of `today`.
bool flag_hidden(const std::string& expires, const std::string& validated, const std::string& today,
                 const std::string& revalidate_cutoff);
std::string revalidate_cutoff(int64_t now, int revalidate_days);
// Deletes the flags lapsed as of `as_of` (in the caller's transaction):
// past `expires`, and with a period, not re-validated within it. Returns how many.
int64_t delete_lapsed_flags(Db& db, int64_t as_of, std::optional<int> revalidate_days);

}  // namespace mdtc::cache
