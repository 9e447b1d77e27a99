#include "outbox.h"

#include <algorithm>

namespace mdtc::bridge {
namespace {

// The disk, not the data: these clear by themselves when space returns or
// the mount turns writable, so the caller keeps going and retries.
Error outbox_error(const sql::SqlError& e, const std::string& what) {
  const std::string code = sql::storage_fault_code(e.rc);
  return make_error(code.empty() ? "bridge.outbox" : code, "outbox " + what + ": " + e.what());
}

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
  try {
    sql::Db db(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // WAL + synchronous=FULL: a committed request survives kill -9 and power
    // loss; the outbox sees a few writes a minute, so the fsync is cheap.
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
            "CREATE TABLE IF NOT EXISTS outbox(id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " key TEXT NOT NULL UNIQUE, body TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS outbox_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
            "INSERT OR IGNORE INTO outbox_meta(name, value) VALUES('seq', 0);");
    last_seq_ = std::max(last_seq_,
                         static_cast<uint64_t>(db.query_int("SELECT value FROM outbox_meta WHERE name = 'seq'")));
    db_ = std::move(db);
    return Ok{};
  } catch (const sql::SqlError& e) {
    return outbox_error(e, "open " + path_);
  }
}

Status Outbox::exec(const char* sql) {
  try {
    db_.exec(sql);
    return Ok{};
  } catch (const sql::SqlError& e) {
    return outbox_error(e, sql);
  }
}

Result<uint64_t> Outbox::take_seq() {
  try {
    sql::Stmt st(db_, "UPDATE outbox_meta SET value = max(value, ?) + 1 WHERE name = 'seq' RETURNING value");
    st.bind(1, static_cast<int64_t>(last_seq_));
    if (!st.step()) return make_error("bridge.outbox", "outbox next seq: no seq row");
    return static_cast<uint64_t>(st.integer(0));
  } catch (const sql::SqlError& e) {
    return outbox_error(e, "next seq");
  }
}

Status Outbox::store(const OutboxEntry& e) {
  std::optional<std::string> body = sealing_.seal ? sealing_.seal(e.body, e.key) : e.body;
  if (!body) return make_error("storage.no_key", "outbox insert " + e.key + ": no key to seal it with");
  try {
    sql::Stmt(db_, "INSERT INTO outbox(key, body) VALUES(?, ?)").bind(1, e.key).bind(2, *body).run();
    return Ok{};
  } catch (const sql::SqlError& err) {
    return outbox_error(err, "insert " + e.key);
  }
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
    try {
      sql::Stmt(db_, "DELETE FROM outbox WHERE key = ?").bind(1, key).run();
      return Ok{};
    } catch (const sql::SqlError& e) {
      return outbox_error(e, "delete " + key);
    }
  }();
  // FULL again before anything else can commit (the lock is still held).
  if (auto r = exec("PRAGMA synchronous=FULL"); !r) return r;
  return deleted;
}

Result<std::vector<OutboxEntry>> Outbox::pending() const {
  std::lock_guard lock(mu_);
  std::vector<OutboxEntry> out;
  if (db_) {
    try {
      sql::Stmt st(db_, "SELECT key, body FROM outbox ORDER BY id");
      while (st.step()) {
        OutboxEntry e{st.text(0), st.text(1)};
        if (sealing_.open) {
          auto body = sealing_.open(e.body, e.key);
          if (!body) continue;  // altered, or sealed under a wiped key: not ours to send
          e.body = std::move(*body);
        }
        out.push_back(std::move(e));
      }
    } catch (const sql::SqlError& e) {
      return outbox_error(e, "select");
    }
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
  Status st = [&]() -> Status {
    try {
      sql::Transaction tx(db_);
      sql::Stmt(db_, "UPDATE outbox_meta SET value = max(value, ?) WHERE name = 'seq'")
          .bind(1, static_cast<int64_t>(last_seq_))
          .run();
      for (auto& e : memory_)
        if (auto stored = store(e); !stored) return stored;  // the transaction rolls back
      tx.commit();
      return Ok{};
    } catch (const sql::SqlError& e) {
      return outbox_error(e, "retry");
    }
  }();
  if (!st) {
    fault_ = st.error();
    return st.error();
  }
  memory_.clear();
  fault_.reset();
  return Ok{};
}

}  // namespace mdtc::bridge
