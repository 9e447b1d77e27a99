#include "audit_log.h"

#include <filesystem>
#include <system_error>

#include "field_cipher.h"
#include "mdtc/time_text.h"

namespace mdtc::cache {
namespace {

using sql::Db;
using sql::SqlError;
using sql::Stmt;
using sql::Transaction;

const std::string kGenesis(64, '0');

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS chain(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit(
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, unit TEXT NOT NULL, user TEXT NOT NULL,
  incident TEXT NOT NULL, flag_ids TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
INSERT OR IGNORE INTO chain(key, value) VALUES('id', lower(hex(randomblob(16))));
)sql";

std::string material(int64_t seq, const std::string& at, const std::string& unit, const std::string& user,
                     const std::string& incident, const std::string& flag_ids, const std::string& prev) {
  // Length-prefixed so no choice of field contents can collide with another.
  std::string m;
  for (const std::string& f : {std::to_string(seq), at, unit, user, incident, flag_ids, prev})
    m += std::to_string(f.size()) + ":" + f + ";";
  return m;
}

std::optional<std::string> chain_value(Db& db, const char* key) {
  Stmt q(db, "SELECT value FROM chain WHERE key = ?1");
  q.bind(1, std::string(key));
  if (!q.step()) return std::nullopt;
  return q.text(0);
}

// "<seq>:<hash>" of the last record.
void set_head(Db& db, const std::string& head) {
  Stmt put(db, "INSERT INTO chain(key, value) VALUES('head', ?1) ON CONFLICT(key) DO UPDATE SET value = ?1");
  put.bind(1, head).run();
}

}  // namespace

AuditLog AuditLog::open(const std::string& path, bool read_only, unsigned file_mode) {
  AuditLog log;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (read_only && !exists) return log;
  log.db_ = Db(path, (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                         SQLITE_OPEN_NOMUTEX);
  sqlite3_busy_timeout(log.db_.get(), 5000);
  if (!read_only) {
    if (!exists)
      std::filesystem::permissions(path, static_cast<std::filesystem::perms>(file_mode),
                                   std::filesystem::perm_options::replace, ec);
    log.db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;");
    log.db_.exec(kSchema);
  }
  log.chain_id_ = chain_value(log.db_, "id").value_or("");
  return log;
}

int64_t AuditLog::count() {
  if (!db_) return 0;
  const std::string head = chain_value(db_, "head").value_or("");
  return head.empty() ? 0 : std::stoll(head.substr(0, head.find(':')));
}

void AuditLog::append(const AuditEntry& entry, int64_t now) {
  if (!db_) throw SqlError(SQLITE_CANTOPEN, "the audit file is not open");
  Transaction tx(db_);
  int64_t seq = 1;
  std::string prev = kGenesis;
  {
    // Finalized before the commit: a statement left on its row keeps the
    // connection reading, and while it reads SQLite can never start the WAL
    // over, so the log would grow by every record.
    Stmt last(db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    if (last.step()) {
      seq = last.integer(0) + 1;
      prev = last.text(1);
    }
  }
  std::string ids;
  for (const std::string& id : entry.flag_ids) ids += (ids.empty() ? "" : "\n") + id;
  const std::string at = rfc3339_utc(now);
  const std::string hash = sha256_hex(material(seq, at, entry.unit, entry.user, entry.incident, ids, prev));
  Stmt put(db_, "INSERT INTO audit VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  put.bind(1, seq).bind(2, at).bind(3, entry.unit).bind(4, entry.user).bind(5, entry.incident).bind(6, ids)
      .bind(7, prev).bind(8, hash);
  put.run();
  // The head is kept beside the chain so a truncated tail is noticed too.
  set_head(db_, std::to_string(seq) + ":" + hash);
  tx.commit();
}

std::vector<AuditRecord> AuditLog::records(const AuditQuery& query) {
  std::vector<AuditRecord> out;
  if (!db_) return out;
  // "until" a day means through its end: a date sorts before its own times.
  const std::string until = query.until.size() == 10 ? query.until + "T99" : query.until;
  Stmt q(db_, "SELECT seq, at, unit, user, incident, flag_ids FROM audit WHERE (?1 = '' OR incident = ?1) AND "
              "(?2 = '' OR unit = ?2) AND (?3 = '' OR at >= ?3) AND (?4 = '' OR at <= ?4) ORDER BY seq");
  q.bind(1, query.incident).bind(2, query.unit).bind(3, query.since).bind(4, until);
  while (q.step()) {
    AuditRecord r;
    r.seq = q.integer(0);
    r.at = q.text(1);
    r.unit = q.text(2);
    r.user = q.text(3);
    r.incident = q.text(4);
    const std::string ids = q.text(5);
    for (std::size_t from = 0; from < ids.size();) {
      const std::size_t end = std::min(ids.find('\n', from), ids.size());
      r.flags.push_back({ids.substr(from, end - from), {}, {}, {}});
      from = end + 1;
    }
    out.push_back(std::move(r));
  }
  return out;
}

void AuditLog::adopt_from(Db& cache_db) {
  if (!db_) throw SqlError(SQLITE_CANTOPEN, "the audit file is not open");
  Transaction tx(db_);
  Stmt read(cache_db, "SELECT seq, at, unit, user, incident, flag_ids, prev_hash, hash FROM audit ORDER BY seq");
  Stmt put(db_, "INSERT OR IGNORE INTO audit VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
  while (read.step()) {
    put.bind(1, read.integer(0));
    for (int i = 1; i < 8; ++i) put.bind(i + 1, read.text(i));
    put.run();
  }
  Stmt head(cache_db, "SELECT value FROM meta WHERE key = 'audit_head'");
  if (head.step()) set_head(db_, head.text(0));
  tx.commit();
}

std::optional<std::string> AuditLog::find_break() {
  if (!db_) return std::nullopt;
  Stmt walk(db_, "SELECT seq, at, unit, user, incident, flag_ids, prev_hash, hash FROM audit ORDER BY seq");
  std::string prev = kGenesis;
  int64_t expected = 1;
  while (walk.step()) {
    const int64_t seq = walk.integer(0);
    const std::string where = "audit record " + std::to_string(seq);
    if (seq != expected) return where + ": expected record " + std::to_string(expected) + " before it (records removed)";
    if (walk.text(6) != prev) return where + ": link to the previous record is broken";
    const std::string hash =
        sha256_hex(material(seq, walk.text(1), walk.text(2), walk.text(3), walk.text(4), walk.text(5), walk.text(6)));
    if (hash != walk.text(7)) return where + ": contents do not match its hash (altered)";
    prev = hash;
    ++expected;
  }
  const std::string head = chain_value(db_, "head").value_or("");
  const std::string want = expected == 1 ? "" : std::to_string(expected - 1) + ":" + prev;
  if (head != want)
    return "audit chain ends at record " + std::to_string(expected - 1) + " but the recorded head is '" + head +
           "' (records removed from the end)";
  return std::nullopt;
}

}  // namespace mdtc::cache
