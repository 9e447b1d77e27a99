#include "outbox.h"

#include <sqlite3.h>

namespace mdtc::bridge {
namespace {

Error sqlite_error(sqlite3* db, const std::string& what) {
  return make_error("bridge.outbox", "outbox " + what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

}  // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const std::string& path) {
  std::unique_ptr<Outbox> box(new Outbox());
  if (path.empty()) return box;
  if (sqlite3_open_v2(path.c_str(), &box->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    auto err = sqlite_error(box->db_, "open " + path);
    sqlite3_close(box->db_);
    box->db_ = nullptr;
    return err;
  }
  sqlite3_busy_timeout(box->db_, 2000);
  // WAL + synchronous=FULL: a committed request survives kill -9 and power
  // loss; the outbox sees a few writes a minute, so the fsync is cheap.
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL",
                          "CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"
                          " key TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
                          "CREATE TABLE IF NOT EXISTS outbox_meta(name TEXT PRIMARY KEY,"
                          " value INTEGER NOT NULL)",
                          "INSERT OR IGNORE INTO outbox_meta(name, value) VALUES('seq', 0)"}) {
    if (auto r = box->exec(sql); !r) return r.error();
  }
  return box;
}

Outbox::~Outbox() {
  if (db_) sqlite3_close(db_);
}

Status Outbox::exec(const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string text = msg ? msg : "unknown error";
    sqlite3_free(msg);
    return make_error("bridge.outbox", std::string("outbox: ") + sql + ": " + text);
  }
  return Ok{};
}

Result<uint64_t> Outbox::take_seq() {
  if (!db_) return ++memory_seq_;
  Stmt st;
  if (sqlite3_prepare_v2(db_, "UPDATE outbox_meta SET value = value + 1 WHERE name = 'seq' RETURNING value",
                         -1, &st.s, nullptr) != SQLITE_OK ||
      sqlite3_step(st.s) != SQLITE_ROW) {
    return sqlite_error(db_, "next seq");
  }
  return static_cast<uint64_t>(sqlite3_column_int64(st.s, 0));
}

Status Outbox::store(const OutboxEntry& e) {
  if (!db_) {
    memory_.push_back(e);
    return Ok{};
  }
  Stmt st;
  if (sqlite3_prepare_v2(db_, "INSERT INTO outbox(key, body) VALUES(?, ?)", -1, &st.s, nullptr) !=
      SQLITE_OK) {
    return sqlite_error(db_, "prepare insert");
  }
  sqlite3_bind_text(st.s, 1, e.key.data(), static_cast<int>(e.key.size()), SQLITE_TRANSIENT);
  sqlite3_bind_text(st.s, 2, e.body.data(), static_cast<int>(e.body.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return sqlite_error(db_, "insert " + e.key);
  return Ok{};
}

Status Outbox::remove(const std::string& key) {
  std::lock_guard lock(mu_);
  if (!db_) {
    std::erase_if(memory_, [&](const OutboxEntry& e) { return e.key == key; });
    return Ok{};
  }
  Stmt st;
  if (sqlite3_prepare_v2(db_, "DELETE FROM outbox WHERE key = ?", -1, &st.s, nullptr) != SQLITE_OK) {
    return sqlite_error(db_, "prepare delete");
  }
  sqlite3_bind_text(st.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  if (sqlite3_step(st.s) != SQLITE_DONE) return sqlite_error(db_, "delete " + key);
  return Ok{};
}

Result<std::vector<OutboxEntry>> Outbox::pending() const {
  std::lock_guard lock(mu_);
  if (!db_) return memory_;
  std::vector<OutboxEntry> out;
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT key, body FROM outbox ORDER BY id", -1, &st.s, nullptr) !=
      SQLITE_OK) {
    return sqlite_error(db_, "prepare select");
  }
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    out.push_back({reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0)),
                   reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1))});
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_, "select");
  return out;
}

std::size_t Outbox::size() const {
  auto p = pending();
  return p ? p->size() : 0;
}

}  // namespace mdtc::bridge
