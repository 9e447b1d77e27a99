#include "position_store.h"

#include <sstream>

namespace mdtc::bridge {
namespace {

Error db_error(const sql::SqlError& e, const std::string& what) {
  return make_error("bridge.positions", "link positions " + what + ": " + e.what());
}

}  // namespace

Result<std::unique_ptr<PositionStore>> PositionStore::open(const std::string& path) {
  std::unique_ptr<PositionStore> store(new PositionStore());
  try {
    store->db_ = sql::Db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    store->db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE IF NOT EXISTS link_position(topic TEXT PRIMARY KEY,"
                    " epoch TEXT NOT NULL, last_seq INTEGER NOT NULL, saved_at_ms INTEGER NOT NULL)");
    store->add_ahead_column();
  } catch (const sql::SqlError& e) {
    return db_error(e, "open " + path);
  }
  return store;
}

// Files written before `ahead` existed gain it empty: those units had
// nothing delivered beyond a gap (messages were held then).
void PositionStore::add_ahead_column() {
  if (db_.query_int("SELECT count(*) FROM pragma_table_info('link_position') WHERE name = 'ahead'") > 0) return;
  db_.exec("ALTER TABLE link_position ADD COLUMN ahead TEXT NOT NULL DEFAULT ''");
}

Result<std::vector<TopicPosition>> PositionStore::load() const {
  try {
    sql::Stmt st(db_, "SELECT topic, epoch, last_seq, saved_at_ms, ahead FROM link_position");
    std::vector<TopicPosition> out;
    while (st.step()) {
      TopicPosition p;
      p.topic = st.text(0);
      p.epoch = st.text(1);
      p.last_seq = static_cast<uint64_t>(st.integer(2));
      p.saved_at_ms = st.integer(3);
      std::istringstream ahead(st.text(4));
      for (uint64_t seq; ahead >> seq;) p.ahead.push_back(seq);
      out.push_back(std::move(p));
    }
    return out;
  } catch (const sql::SqlError& e) {
    return db_error(e, "load");
  }
}

Status PositionStore::save(const std::vector<TopicPosition>& positions) {
  try {
    sql::Transaction tx(db_, "BEGIN");
    sql::Stmt st(db_,
                 "INSERT INTO link_position(topic, epoch, last_seq, saved_at_ms, ahead) VALUES(?,?,?,?,?)"
                 " ON CONFLICT(topic) DO UPDATE SET epoch=excluded.epoch,"
                 " last_seq=excluded.last_seq, saved_at_ms=excluded.saved_at_ms, ahead=excluded.ahead");
    for (const auto& p : positions) {
      std::string ahead;
      for (uint64_t seq : p.ahead) ahead += (ahead.empty() ? "" : " ") + std::to_string(seq);
      st.bind(1, p.topic)
          .bind(2, p.epoch)
          .bind(3, static_cast<int64_t>(p.last_seq))
          .bind(4, static_cast<int64_t>(p.saved_at_ms))
          .bind(5, ahead)
          .run();
    }
    tx.commit();
    return Ok{};
  } catch (const sql::SqlError& e) {
    return db_error(e, "save");
  }
}

}  // namespace mdtc::bridge
