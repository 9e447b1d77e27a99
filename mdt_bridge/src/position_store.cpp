#include "position_store.h"

#include <sqlite3.h>

#include <sstream>

#include "mdtc/private_file.h"

namespace mdtc::bridge {
namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

Error db_error(sqlite3* db, const std::string& what) {
  return make_error("bridge.positions", "link positions " + what + ": " + sqlite3_errmsg(db));
}

}  // namespace

Result<std::unique_ptr<PositionStore>> PositionStore::open(const std::string& path) {
  std::unique_ptr<PositionStore> store(new PositionStore());
  make_private_file(path);
  if (sqlite3_open_v2(path.c_str(), &store->db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    auto err = db_error(store->db_, "open " + path);
    return err;
  }
  sqlite3_busy_timeout(store->db_, 2000);
  for (const char* sql : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                          "CREATE TABLE IF NOT EXISTS link_position(topic TEXT PRIMARY KEY,"
                          " epoch TEXT NOT NULL, last_seq INTEGER NOT NULL, saved_at_ms INTEGER NOT NULL)"}) {
    if (sqlite3_exec(store->db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) {
      return db_error(store->db_, sql);
    }
  }
  if (auto added = store->add_ahead_column(); !added) return added.error();
  return store;
}

// Files written before `ahead` existed gain it empty: those units had
// nothing delivered beyond a gap (messages were held then).
Status PositionStore::add_ahead_column() {
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM pragma_table_info('link_position') WHERE name = 'ahead'", -1,
                         &st.s, nullptr) != SQLITE_OK)
    return db_error(db_, "prepare schema check");
  if (sqlite3_step(st.s) == SQLITE_ROW) return Ok{};
  if (sqlite3_exec(db_, "ALTER TABLE link_position ADD COLUMN ahead TEXT NOT NULL DEFAULT ''", nullptr,
                   nullptr, nullptr) != SQLITE_OK)
    return db_error(db_, "add column ahead");
  return Ok{};
}

PositionStore::~PositionStore() {
  if (db_) sqlite3_close(db_);
}

Result<std::vector<TopicPosition>> PositionStore::load() const {
  Stmt st;
  if (sqlite3_prepare_v2(db_, "SELECT topic, epoch, last_seq, saved_at_ms, ahead FROM link_position", -1,
                         &st.s, nullptr) != SQLITE_OK) {
    return db_error(db_, "prepare load");
  }
  std::vector<TopicPosition> out;
  int rc;
  while ((rc = sqlite3_step(st.s)) == SQLITE_ROW) {
    TopicPosition p;
    p.topic = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 0));
    p.epoch = reinterpret_cast<const char*>(sqlite3_column_text(st.s, 1));
    p.last_seq = static_cast<uint64_t>(sqlite3_column_int64(st.s, 2));
    p.saved_at_ms = sqlite3_column_int64(st.s, 3);
    std::istringstream ahead(reinterpret_cast<const char*>(sqlite3_column_text(st.s, 4)));
    for (uint64_t seq; ahead >> seq;) p.ahead.push_back(seq);
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return db_error(db_, "load");
  return out;
}

Status PositionStore::save(const std::vector<TopicPosition>& positions) {
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) return db_error(db_, "begin");
  Stmt st;
  if (sqlite3_prepare_v2(db_,
                         "INSERT INTO link_position(topic, epoch, last_seq, saved_at_ms, ahead) VALUES(?,?,?,?,?)"
                         " ON CONFLICT(topic) DO UPDATE SET epoch=excluded.epoch,"
                         " last_seq=excluded.last_seq, saved_at_ms=excluded.saved_at_ms,"
                         " ahead=excluded.ahead",
                         -1, &st.s, nullptr) != SQLITE_OK) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return db_error(db_, "prepare save");
  }
  for (const auto& p : positions) {
    sqlite3_reset(st.s);
    sqlite3_bind_text(st.s, 1, p.topic.data(), static_cast<int>(p.topic.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(st.s, 2, p.epoch.data(), static_cast<int>(p.epoch.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(st.s, 3, static_cast<sqlite3_int64>(p.last_seq));
    sqlite3_bind_int64(st.s, 4, p.saved_at_ms);
    std::string ahead;
    for (uint64_t seq : p.ahead) {
      if (!ahead.empty()) ahead += ' ';
      ahead += std::to_string(seq);
    }
    sqlite3_bind_text(st.s, 5, ahead.data(), static_cast<int>(ahead.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(st.s) != SQLITE_DONE) {
      auto err = db_error(db_, "save " + p.topic);
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return err;
    }
  }
  if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    auto err = db_error(db_, "commit");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return err;
  }
  return Ok{};
}

}  // namespace mdtc::bridge
