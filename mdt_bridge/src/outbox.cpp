#include "outbox.h"

#include <sqlite3.h>

#include <algorithm>

#include "mdtc/private_file.h"

namespace mdtc::bridge {
namespace {

// The disk, not the data: these clear by themselves when space returns or
// the mount turns writable, so the caller keeps going and retries.
std::string error_code(sqlite3* db) {
  switch (db ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM) {
    case SQLITE_FULL: return "storage.full";
    case SQLITE_READONLY: return "storage.read_only";
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN: return "storage.io";
    default: return "bridge.outbox";
  }
}

Error sqlite_error(sqlite3* db, const std::string& what) {
  return make_error(error_code(db), "outbox " + what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

bool is_storage_fault(const Error& e) { return e.code.rfind("storage.", 0) == 0; }

Result<std::unique_ptr<Outbox>> Outbox::open(const std::string& path) {
  std::unique_ptr<Outbox> box(new Outbox());
  box->path_ = path;
  if (path.empty()) return box;
  if (auto r = box->open_file(); !r) return r.error();
  return box;
}

std::unique_ptr<Outbox> Outbox::until_writable(const std::string& path, Error why) {
  std::unique_ptr<Outbox> box(new Outbox());
  box->path_ = path;
  box->fault_ = std::move(why);
  return box;
}

Status Outbox::open_file() {
  make_private_file(path_);
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    auto err = sqlite_error(db_, "open " + path_);
    sqlite3_close(db_);
    db_ = nullptr;
    return err;
  }
  sqlite3_busy_timeout(db_, 2000);
  // WAL + synchronous=FULL: a committed request survives kill -9 and power
  // loss; the outbox sees a few writes a minute, so the fsync is cheap.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                          " key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
                          "CREATE TABLE IF NOT EXISTS outbox_meta(name TEXT PRIMARY KEY,"
                          " value INTEGER NOT NULL)",
                          "INSERT OR IGNORE INTO outbox_meta(name, value) VALUES('seq', 0)"}) {
    if (auto r = exec(sql); !r) {
      sqlite3_close(db_);
      db_ = nullptr;
      return r.error();
    }
  }
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM outbox_meta WHERE name = 'seq'", -1, &st.s,
                         nullptr) == SQLITE_OK &&
      sqlite3_step(st.s) == SQLITE_ROW)
    last_seq_ = std::max(last_seq_, static_cast<uint64_t>(sqlite3_column_int64(st.s, 0)));
  return Ok{};
}

Outbox::~Outbox() {
  if (db_) sqlite3_close(db_);
}

Status Outbox::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return make_error(error_code(db_), std::string("outbox: ") + sql + ": " + text);
  }
  return Ok{};
}

Result<uint64_t> Outbox::take_seq() {
  Stmt st;
  if (sqlite3_prepare_v2(db_, "UPDATE outbox_meta SET value = max(value, ?) + 1 WHERE name = 'seq'"
                         " RETURNING value", -1, &st.s, nullptr) != SQLITE_OK) {
    return sqlite_error(db_, "next seq");
  }
  sqlite3_bind_int64(st.s, 1, static_cast<sqlite3_int64>(last_seq_));
  if (sqlite3_step(st.s) != SQLITE_ROW) return sqlite_error(db_, "next seq");
  return static_cast<uint64_t>(sqlite3_column_int64(st.s, 0));
}

Status Outbox::store(const OutboxEntry& e) {
  Stmt st;
  if (sqlite3_prepare_v2(db_, "INSERT INTO outbox(key, body) VALUES(?, ?)", -1, &st.s, nullptr) !=
      SQLITE_OK) {
    return sqlite_error(db_, "prepare insert");
  }
  std::optional<std::string> body = sealing_.seal ? sealing_.seal(e.body, e.key) : e.body;
  if (!body) return make_error("storage.no_key", "outbox insert " + e.key + ": no key to seal it with");
  sqlite3_bind_text(st.s, 1, e.key.data(), static_cast<int>(e.key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, body->data(), static_cast<int>(body->size()), SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return sqlite_error(db_, "insert " + e.key);
  return Ok{};
}

OutboxEntry& Outbox::hold_in_memory(OutboxEntry e) {
  memory_.push_back(std::move(e));
  return memory_.back();
}

Status Outbox::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  const auto held = std::erase_if(memory_, [&](const OutboxEntry& e) { return e.key == key; });
  if (!db_ || held > 0) return Ok{};
  // An ack's delete need not reach the disk before the link goes on: if a
  // crash or power loss undoes it, the message is sent again at start and
  // the gateway, which acts on a key once, acks it again. Without an fsync
  // here the link thread, which also delivers dispatches, does not wait on
  // the disk for every ack. What is queued stays as durable as before: the
  // next enqueue commits with FULL, which syncs the WAL and this delete in it.
  if (auto r = exec("PRAGMA synchronous=NORMAL"); !r) return r;
  Status deleted = [&]() -> Status {
    Stmt st;
    if (sqlite3_prepare_v2(db_, "DELETE FROM outbox WHERE key = ?", -1, &st.s, nullptr) != SQLITE_OK) {
      return sqlite_error(db_, "prepare delete");
    }
    sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_DONE) return sqlite_error(db_, "delete " + key);
    return Ok{};
  }();
  // FULL again before anything else can commit (the lock is still held).
  if (auto r = exec("PRAGMA synchronous=FULL"); !r) return r;
  return deleted;
}

Result<std::vector<OutboxEntry>> Outbox::pending() const {
  std::lock_guard lock(mu_);
  std::vector<OutboxEntry> out;
  if (db_) {
    Stmt st;
    if (sqlite3_prepare_v2(db_, "SELECT key, body FROM outbox ORDER BY id", -1, &st.s, nullptr) !=
        SQLITE_OK) {
      return sqlite_error(db_, "prepare select");
    }
    int rc;
    while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
      OutboxEntry e{reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)),
                    reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1))};
      if (sealing_.open) {
        auto body = sealing_.open(e.body, e.key);
        if (!body) continue;  // altered, or sealed under a wiped key: not ours to send
        e.body = std::move(*body);
      }
      out.push_back(std::move(e));
    }
    if (rc != SQLITE_DONE) return sqlite_error(db_, "select");
  }
  out.insert(out.end(), memory_.begin(), memory_.end());
  return out;
}

std::size_t Outbox::size() const {
  auto p = pending();
  return p ? p->size() : 0;
}

std::optional<Error> Outbox::fault() const {
  std::lock_guard lock(mu_);
  return fault_;
}

Status Outbox::retry() {
  std::lock_guard lock(mu_);
  if (path_.empty() || !fault_) return Ok{};
  if (!db_) {
    if (auto r = open_file(); !r) {
      fault_ = r.error();
      return r.error();
    }
  }
  // One transaction: the seq catches up with what went out meanwhile (a
  // write even when nothing is held, so it proves the file takes writes).
  Status st = exec("BEGIN IMMEDIATE");
  if (st) {
    Stmt seq;
    if (sqlite3_prepare_v2(db_, "UPDATE outbox_meta SET value = max(value, ?) WHERE name = 'seq'",
                           -1, &seq.s, nullptr) != SQLITE_OK)
      st = sqlite_error(db_, "prepare seq");
    else if (sqlite3_bind_int64(seq.s, 1, static_cast<sqlite3_int64>(last_seq_)),
             sqlite3_step(seq.s) != SQLITE_DONE)
      st = sqlite_error(db_, "seq");
  }
  for (auto& e : memory_) {
    if (!st) break;
    st = store(e);
  }
  if (st) st = exec("COMMIT");
  if (!st) {
    (void)exec("ROLLBACK");
    fault_ = st.error();
    return st.error();
  }
  memory_.clear();
  fault_.reset();
  return Ok{};
}

}  // namespace mdtc::bridge
