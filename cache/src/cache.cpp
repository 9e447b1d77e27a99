// Opening, checking and maintaining the cache file: pragmas, migrations, key
// check, recovery from a corrupt file, stats, purge, the audit chain.
#include "mdtc/cache.h"

#include <charconv>
#include <filesystem>
#include <system_error>

#include "cache_impl.h"
#include "flag_vocabulary.h"
#include "row_counts.h"
#include "schema.h"
#include "mdtc/shared_state.h"
#include "mdtc/time_text.h"

namespace mdtc::cache {
namespace {

constexpr const char* kKeyCheckPlain = "mdt-coresponder cache key check";

bool is_corruption(int rc) { return rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT; }

// Opens the file and touches its header and schema, which is where a file of
// garbage or a torn header shows itself. The connection is only ever used
// under the cache's `mu` (like the reader under `read_mu`), so SQLite's own
// per-call mutex would be a second lock on every statement of an import.
Db open_checked(const std::string& path, bool read_only) {
  Db db(path, (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX);
  sqlite3_busy_timeout(db.get(), 5000);
  if (!read_only) db.exec("PRAGMA journal_mode=WAL");
  db.exec("SELECT count(*) FROM sqlite_master");
  return db;
}

void configure(Db& db) {
  db.exec("PRAGMA foreign_keys=ON");
  // Deleted notes and names are overwritten, not left in free pages.
  db.exec("PRAGMA secure_delete=ON");
  db.exec("PRAGMA synchronous=FULL");
  // 8 MB. A snapshot is one transaction larger than any page cache, so its
  // pages spill into the WAL half-way however large the cache is: at a
  // million premises a 32 MB cache loaded no faster, and it doubled as the
  // sorter's memory for the street index and the R*Tree pack, which took
  // the syncing process to 95 MB. SQLite's sorter spills to the temporary
  // file past this size too.
  db.exec("PRAGMA cache_size=-8192");
}

std::string move_aside(const std::string& path, const char* why = "corrupt") {
  std::string stamp = rfc3339_utc(now_unix());
  std::erase(stamp, ':');
  std::erase(stamp, '-');
  const std::string target = path + "." + why + "-" + stamp;
  std::error_code ec;
  std::filesystem::rename(path, target, ec);
  if (ec) throw SqlError(SQLITE_CANTOPEN, std::string("cannot move ") + why + " " + path + " aside: " + ec.message());
  for (const char* side : {"-wal", "-shm"}) {
    std::filesystem::rename(path + side, target + side, ec);  // absent is fine
  }
  return target;
}

}  // namespace

const char* to_string(MatchLevel l) {
  switch (l) {
    case MatchLevel::exact: return "exact";
    case MatchLevel::building: return "building";
    case MatchLevel::nearby: return "nearby";
    case MatchLevel::none: return "none";
  }
  return "none";
}
const char* to_string(FlagKind k) {
  switch (k) {
    case FlagKind::safety: return "safety";
    case FlagKind::care: return "care";
    case FlagKind::sud: return "sud";
  }
  return "care";
}
const char* to_string(Audience a) { return a == Audience::all ? "all" : "clinician"; }

std::string address_rules_problem(const std::string& stored) {
  const std::string ours = std::to_string(kAddressRulesVersion);
  int v = 0;
  const auto [end, ec] = std::from_chars(stored.data(), stored.data() + stored.size(), v);
  std::string which;
  if (ec != std::errc{} || end != stored.data() + stored.size())
    which = "\"" + stored + "\" (unreadable), not this build's " + ours;
  else if (v == 1)
    which = "from before the rules had a version, older than this build's " + ours;
  else if (v < kAddressRulesVersion)
    which = stored + ", older than this build's " + ours;
  else
    which = stored + ", newer than this build's " + ours + " (written by a later release)";
  return "premises read under address rules " + which +
         ": until a snapshot re-reads them, an address written the ways the rules changed may find nothing";
}

std::optional<std::string> Cache::Impl::read_meta(const std::string& key) {
  Lease q(read_cached("SELECT value FROM meta WHERE key=?1"));
  q->bind(1, key);
  if (!q->step()) return std::nullopt;
  return q->text(0);
}

std::optional<int64_t> Cache::Impl::read_last_sync() {
  Lease v(read_cached("PRAGMA data_version"));
  v->step();
  const int64_t version = v->integer(0);
  if (version != last_sync.data_version) {
    const auto text = read_meta("last_sync");
    // A cache that never held a whole snapshot has nothing to be fresh about.
    const bool whole = holds_snapshot(read_meta("snapshot_version"), text, read_meta("last_mode"));
    last_sync = {version, text && whole ? std::optional<int64_t>(std::stoll(*text)) : std::nullopt};
  }
  return last_sync.at;
}

std::optional<std::string> Cache::Impl::meta(const std::string& key) {
  Lease q(cached("SELECT value FROM meta WHERE key=?1"));
  q->bind(1, key);
  if (!q->step()) return std::nullopt;
  return q->text(0);
}

void Cache::Impl::load_places(Db& from) {
  auto fresh = std::make_shared<Gazetteer>();
  Stmt q(from, "SELECT DISTINCT city FROM premises WHERE city IS NOT NULL AND city <> ''");
  while (q.step()) fresh->add_place(q.text_view(0));
  for (const auto& [alias, place] : options.place_aliases) fresh->add_alias(alias, place);
  std::lock_guard lock(places_mu);
  places = std::move(fresh);
}

void Cache::Impl::reserve_wal() {
  // Each write its own commit: one frame of the meta page each, more than
  // the rejection record needs. Once checkpointed, the next write starts the
  // WAL over at its beginning, inside this space.
  for (int i = 0; i < 4; ++i) set_meta("wal_reserve", std::to_string(i));
  sqlite3_exec(db.get(), "PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr, nullptr);
}

void Cache::Impl::set_meta(const std::string& key, const std::string& value) {
  Stmt q(db, "INSERT INTO meta(key, value) VALUES(?1, ?2) ON CONFLICT(key) DO UPDATE SET value=?2");
  q.bind(1, key).bind(2, value);
  q.run();
}

std::optional<std::string> Cache::Impl::open_sealed(const Bytes& sealed, std::string_view aad) const {
  return cipher->open(sealed, aad);
}

bool flag_hidden(const std::string& expires, const std::string& validated, const std::string& today,
                 const std::string& cutoff) {
  if (!expires.empty() && expires < today) return true;
  if (!validated.empty() && validated < cutoff) return true;
  return false;
}

std::string revalidate_cutoff(int64_t now, int revalidate_days) {
  return iso_date_utc(now - static_cast<int64_t>(revalidate_days) * 86400);
}

// A corrupt audit file is moved aside and a new chain begins (verify then
// names the change until the cache is reset); any other failure leaves the
// log closed and says why at each audit. Lookups go on either way.
void Cache::Impl::open_audit_log(const std::string& db_path, bool ro) {
  Impl& im = *this;
  im.audit_path = audit_log_path(db_path);
  const auto dir = parent_dir_mode(im.audit_path);
  const unsigned mode = data_file_mode(dir ? dir->mode : 0);
  try {
    try {
      im.audit_log = AuditLog::open(im.audit_path, ro, mode);
    } catch (const SqlError& e) {
      if (!is_corruption(e.rc) || ro) throw;
      im.audit_recovered_from = move_aside(im.audit_path);
      im.audit_log = AuditLog::open(im.audit_path, ro, mode);
    }
  } catch (const std::exception& e) {
    im.audit_log = AuditLog();
    im.audit_error = "audit file " + im.audit_path + ": " + e.what();
  }
}

std::string audit_log_path(const std::string& db_path) { return db_path + ".audit"; }

std::string Cache::Impl::audit_identity_problem(const std::string& adopted) const {
  if (!audit_error.empty()) return audit_error;
  if (adopted.empty() || audit_log.chain_id() == adopted) return {};
  return "audit file " + audit_path +
         (audit_log.is_open() ? " holds chain " + audit_log.chain_id() : std::string(" is missing")) +
         " but this cache's chain is " + adopted +
         (audit_recovered_from.empty() ? std::string(" (removed or replaced)")
                                       : " (it was corrupt and was moved to " + audit_recovered_from + ")") +
         "; with the host stopped, resetting the cache adopts the file's chain";
}

Cache::Cache(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Cache::Cache(Cache&&) noexcept = default;
Cache& Cache::operator=(Cache&&) noexcept = default;
Cache::~Cache() = default;

Result<Cache> Cache::open(const OpenOptions& options) {
  if (options.db_path.empty()) return make_error("cache.config", "cache database path is empty");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->key_path = options.key_path.empty() ? options.db_path + ".key" : options.key_path;
  const std::string& path = options.db_path;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  const bool create = options.create_if_missing && !options.read_only;
  if (!exists && !create)
    return make_error("cache.missing", "cache database " + path + " does not exist (only cache import and cache "
                                                                  "sync create one)");
  if (exists && !std::filesystem::is_regular_file(path, ec))
    return make_error("cache.open", "cache " + path + " is not a regular file");

  // A new key is only made for a new database: a fresh key cannot read old data.
  auto key = load_or_create_key(impl->key_path, !exists && create);
  if (!key) return key.error();
  impl->cipher.emplace(*key);
  impl->cipher_key = *key;

  try {
    const bool ro = options.read_only;
    try {
      impl->db = open_checked(path, ro);
    } catch (const SqlError& e) {
      if (!is_corruption(e.rc) || ro) throw;
      impl->set_recovered(move_aside(path));
      impl->db = open_checked(path, ro);
    }
    if (!exists || !impl->recovered().empty()) {
      // Addresses are stored in clear; the file is for this user alone, or
      // for the group of a group-shared state directory (shared_state.h).
      const auto dir = parent_dir_mode(path);
      std::filesystem::permissions(path, static_cast<std::filesystem::perms>(data_file_mode(dir ? dir->mode : 0)),
                                   std::filesystem::perm_options::replace, ec);
    }
    configure(impl->db);
    if (!ro) {
      int persist = 1;  // keeps the WAL's reserve across processes (reserve_wal)
      sqlite3_file_control(impl->db.get(), "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    }
    Impl& im = *impl;
    // The key is checked before any migration: a step that re-seals values
    // must never run with a key that cannot open them.
    std::optional<std::string> stored_check;
    if (schema_version(im.db) >= 1) {
      Stmt q(im.db, "SELECT value FROM meta WHERE key='key_check'");
      if (q.step()) stored_check = q.text(0);
    }
    if (stored_check) {
      Bytes stored;
      for (std::size_t i = 0; i + 1 < stored_check->size(); i += 2)
        stored.push_back(static_cast<unsigned char>(std::stoi(stored_check->substr(i, 2), nullptr, 16)));
      if (im.open_sealed(stored, "meta.key_check") != std::optional<std::string>(kKeyCheckPlain))
        return make_error("cache.key_mismatch", "key file " + im.key_path + " does not decrypt cache " + path +
                                                    ": expected the key the cache was created with");
    }
    im.open_audit_log(path, ro);
    // A later build's layout (an MDT rolled back to this one): reading it
    // could miss rows that build keeps elsewhere, and writing into it would
    // fail at the next sync. Refused, so the panel says "flags unavailable"
    // and doctor says why, rather than flags read wrong.
    if (const int have = schema_version(im.db); have > kSchemaVersion)
      return make_error("cache.schema_newer", "cache " + path + " has schema " + std::to_string(have) +
                                                  ", written by a later build; this build knows schema " +
                                                  std::to_string(kSchemaVersion) + " and does not read it");
    if (ro) {
      const int have = schema_version(im.db);
      if (have != kSchemaVersion)
        return make_error("cache.schema", "cache " + path + " has schema " + std::to_string(have) + ", this build " +
                                              std::to_string(kSchemaVersion) +
                                              "; opened read-only, so it is not upgraded (the plugin or a cache "
                                              "import upgrades it)");
    } else {
      migrate(im.db, kSchemaVersion, &*im.cipher, im.audit_log.is_open() ? &im.audit_log : nullptr);
      // A new cache (or one that replaced a corrupt or reset file) carries
      // on the chain it finds; one that adopted a chain keeps its id, so a
      // removed or replaced audit file fails verify instead of passing.
      if (!im.meta("audit_chain") && !im.audit_log.chain_id().empty())
        im.set_meta("audit_chain", im.audit_log.chain_id());
    }
    if (!stored_check && !ro) {
      static const char* hex = "0123456789abcdef";
      std::string h;
      for (unsigned char c : im.seal(kKeyCheckPlain, "meta.key_check")) {
        h += hex[c >> 4];
        h += hex[c & 15];
      }
      im.set_meta("key_check", h);
    }
    if (ro) im.places_deferred = true;
    else im.load_places(im.db);
    // The reader is only ever used under read_mu, so SQLite's own
    // per-call connection mutex would be a second lock on every call.
    impl->reader = Db(path, (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX);
    sqlite3_busy_timeout(impl->reader.get(), 5000);
    // Lookups touch the upper levels of the street index, premises, flags
    // and history trees every time; 8 MB keeps those levels of a million-
    // premise cache resident, where SQLite's default 2 MB does not.
    impl->reader.exec("PRAGMA cache_size=-8192");
  } catch (const SqlError& e) {
    return make_error(is_corruption(e.rc) ? "cache.corrupt" : "cache.open", "cache " + path + ": " + e.what());
  } catch (const std::exception& e) {
    return make_error("cache.open", "cache " + path + ": " + e.what());
  }
  Cache cache(std::move(impl));
  if (options.read_only || !options.purge_on_open) return cache;
  // Expired flags must not outlive their date on disk either. If another
  // process holds the write lock (a long import), skip rather than wait: the
  // lookups hide those flags anyway and the next open purges them.
  sqlite3_busy_timeout(cache.impl_->db.get(), 0);
  (void)cache.purge(options.revalidate_days);
  sqlite3_busy_timeout(cache.impl_->db.get(), 5000);
  return cache;
}

Result<std::string> Cache::reset(const OpenOptions& options) {
  const std::string& path = options.db_path;
  if (path.empty()) return make_error("cache.config", "cache database path is empty");
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error("cache.missing", "cache database " + path + " does not exist: nothing to reset");
  try {
    return move_aside(path, "reset");
  } catch (const SqlError& e) {
    return make_error("cache.reset", e.what());
  }
}

Status Cache::audit(const AuditEntry& entry) {
  Impl& im = *impl_;
  std::lock_guard lock(im.audit_mu);
  if (!im.audit_log.is_open())
    return make_error("cache.audit_failed", "audit record not written: " +
                                                (im.audit_error.empty() ? "the audit file is not open" : im.audit_error));
  try {
    im.audit_log.append(entry, entry.at.value_or(now_unix()));
    return Ok{};
  } catch (const std::exception& e) {
    return make_error("cache.audit_failed", std::string("audit record not written: ") + e.what());
  }
}

Result<std::vector<AuditRecord>> Cache::audit_records(const AuditQuery& query) {
  Impl& im = *impl_;
  try {
    std::vector<AuditRecord> records;
    {
      std::lock_guard lock(im.audit_mu);
      records = im.audit_log.records(query);
    }
    std::lock_guard lock(im.mu);
    Stmt flag(im.db, "SELECT code, kind, audience FROM flags WHERE id = ?1");
    for (AuditRecord& r : records)
      for (AuditRecord::ShownFlag& f : r.flags) {
        flag.reset();
        flag.bind(1, f.id);
        if (flag.step()) {
          f.code = flag.text(0);
          f.kind = flag.text(1);
          f.audience = flag.text(2);
        }
      }
    return records;
  } catch (const SqlError& e) {
    return make_error(is_corruption(e.rc) ? "cache.corrupt" : "cache.audit_read",
                      std::string("reading the audit records: ") + e.what());
  }
}

Status Cache::verify() {
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  try {
    {
      Stmt ic(im.db, "PRAGMA integrity_check");
      while (ic.step()) {
        const std::string row = ic.text(0);
        if (row != "ok") return make_error("cache.integrity", "cache " + im.options.db_path + ": integrity_check: " + row);
      }
    }
    // The counts stats reports must be the rows' own: a kept count that
    // drifted (a write that bypassed the triggers) would show fleet IT a
    // cache that is not there.
    if (auto mismatch = find_count_mismatch(im.db))
      return make_error("cache.counts_mismatch", "cache " + im.options.db_path + ": " + *mismatch +
                                                     "; expected them equal (a registry snapshot import counts again)");
    const std::string adopted = im.meta("audit_chain").value_or("");
    std::lock_guard audit_lock(im.audit_mu);
    if (const std::string problem = im.audit_identity_problem(adopted); !problem.empty())
      return make_error("cache.audit_broken", problem);
    if (auto broken = im.audit_log.find_break()) return make_error("cache.audit_broken", *broken);
    return Ok{};
  } catch (const SqlError& e) {
    return make_error(is_corruption(e.rc) ? "cache.corrupt" : "cache.verify", std::string("verify: ") + e.what());
  }
}

std::optional<int64_t> Cache::synced_version() {
  if (!impl_) return std::nullopt;
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  try {
    if (!im.meta("last_sync") || !im.holds_snapshot()) return std::nullopt;
    return std::stoll(im.meta("registry_version").value_or("0"));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool Cache::wants_snapshot() {
  if (!synced_version() || !impl_) return false;
  std::lock_guard lock(impl_->mu);
  try {
    if (impl_->meta("address_rules").value_or("1") != std::to_string(kAddressRulesVersion)) return true;
    // The clock reads before the last sync: it was ahead then, or at a
    // purge, and flags in force may have been deleted by it. A snapshot
    // brings them back.
    return std::stoll(impl_->meta("last_sync").value_or("0")) > now_unix() + kClockBehindSlackS;
  } catch (const std::exception&) {
    return true;
  }
}

Status Cache::mark_synced() {
  if (!impl_) return make_error("cache.unavailable", "cache is not open");
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  try {
    if (!im.meta("last_sync") || !im.holds_snapshot())
      return make_error("cache.never_synced", "no complete registry snapshot was ever applied");
    im.set_meta("last_sync", std::to_string(now_unix()));
    return Ok{};
  } catch (const std::exception& e) {
    return make_error("cache.write_failed", std::string("recording the registry check failed: ") + e.what());
  }
}

Result<std::vector<AliasWithoutPlace>> Cache::aliases_without_place() {
  Impl& im = *impl_;
  if (im.options.place_aliases.empty()) return std::vector<AliasWithoutPlace>{};
  std::lock_guard lock(im.read_mu);
  try {
    if (im.places_deferred) {
      im.load_places(im.reader);
      im.places_deferred = false;
    }
    return cache::aliases_without_place(im.options.place_aliases, *im.current_places());
  } catch (const SqlError& e) {
    return make_error(is_corruption(e.rc) ? "cache.corrupt" : "cache.read", std::string("places: ") + e.what());
  }
}

Result<Stats> Cache::stats() {
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  try {
    Stats s;
    s.schema_version = schema_version(im.db);
    // Kept counts (row_counts.h): a few small rows, however large the cache.
    const KeptCounts kept = read_kept_counts(im.db);
    s.premises = kept.premises;
    s.subjects = kept.subjects;
    s.flags = kept.flags;
    s.history = kept.history;
    {
      std::lock_guard audit_lock(im.audit_mu);
      s.audit_records = im.audit_log.count();
      s.audit_recovered_from = im.audit_recovered_from;
      s.audit_problem = im.audit_identity_problem(im.meta("audit_chain").value_or(""));
    }
    s.audit_path = im.audit_path;
    s.registry_version = std::stoll(im.meta("registry_version").value_or("0"));
    if (auto last = im.meta("last_sync")) {
      const int64_t t = std::stoll(*last);
      s.last_sync = rfc3339_utc(t);
      s.age_s = now_unix() - t;
    }
    s.last_mode = im.meta("last_mode").value_or("");
    s.holds_snapshot = im.holds_snapshot();
    s.address_rules = im.meta("address_rules").value_or("1");
    s.address_rules_current = s.address_rules == std::to_string(kAddressRulesVersion);
    if (!s.holds_snapshot) s.age_s.reset();  // nothing the registry confirmed
    for (const auto& [code, n] : kept.flags_by_code)
      if (!find_code(code)) s.unknown_codes += n;
    s.db_path = im.options.db_path;
    s.key_path = im.key_path;
    s.recovered_from = im.recovered();
    s.import_rejects = std::stoll(im.meta("import_rejects").value_or("0"));
    s.last_reject = im.meta("last_reject").value_or("");
    s.unparsed_queries = im.unparsed_queries.load();
    return s;
  } catch (const SqlError& e) {
    return make_error(is_corruption(e.rc) ? "cache.corrupt" : "cache.stats", std::string("stats: ") + e.what());
  }
}

int64_t delete_lapsed_flags(Db& db, int64_t as_of, std::optional<int> revalidate_days) {
  // Two statements, so each is a range over its own partial index.
  Stmt expired(db, "DELETE FROM premise_rows WHERE expires IS NOT NULL AND expires < ?1");
  expired.bind(1, iso_date_utc(as_of));
  expired.run();
  int64_t n = sqlite3_changes(db.get());
  if (!revalidate_days) return n;
  Stmt unvalidated(db, "DELETE FROM premise_rows WHERE validated IS NOT NULL AND validated < ?1");
  unvalidated.bind(1, revalidate_cutoff(as_of, *revalidate_days));
  unvalidated.run();
  return n + sqlite3_changes(db.get());
}

int64_t Cache::Impl::purge_as_of() {
  // Found from outside: a laptop whose clock ran a day ahead deleted a flag
  // in force when it opened the cache, and nothing brought it back. The
  // registry's last word is a time this cache once agreed with.
  const int64_t now = now_unix();
  const auto last = meta("last_sync");
  return last ? std::min<int64_t>(now, std::stoll(*last)) : now;
}

Result<int64_t> Cache::purge(std::optional<int> revalidate_days) {
  Impl& im = *impl_;
  std::lock_guard lock(im.mu);
  try {
    Transaction tx(im.db);
    const int64_t n = delete_lapsed_flags(im.db, im.purge_as_of(), revalidate_days);
    tx.commit();
    return n;
  } catch (const SqlError& e) {
    return make_error(is_corruption(e.rc) ? "cache.corrupt" : "cache.purge", std::string("purge: ") + e.what());
  }
}

}  // namespace mdtc::cache
