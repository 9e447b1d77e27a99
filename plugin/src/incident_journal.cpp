#include "incident_journal.h"

namespace mdtc::plugin {
namespace {

Error journal_error(const sql::SqlError& e, const std::string& what) {
  return make_error("journal.sqlite", what + ": " + e.what());
}

}  // namespace

Result<IncidentJournal> IncidentJournal::open(const std::string& path) {
  try {
    sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    // NORMAL in WAL mode survives a crash of the process, which is what a
    // restart mid-call is; the journal is a convenience, not a record.
    db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            "CREATE TABLE IF NOT EXISTS incident(id TEXT PRIMARY KEY, state TEXT NOT NULL);");
    return IncidentJournal(std::move(db));
  } catch (const sql::SqlError& e) {
    return journal_error(e, "cannot open " + path);
  }
}

Status IncidentJournal::put(const std::string& id, const std::string& state) {
  try {
    sql::Stmt(db_, "INSERT INTO incident(id, state) VALUES(?1, ?2) ON CONFLICT(id) DO UPDATE SET state = excluded.state")
        .bind(1, id)
        .bind(2, state)
        .run();
    return Ok{};
  } catch (const sql::SqlError& e) {
    return journal_error(e, "write");
  }
}

Status IncidentJournal::erase(const std::string& id) {
  try {
    sql::Stmt(db_, "DELETE FROM incident WHERE id = ?1").bind(1, id).run();
    return Ok{};
  } catch (const sql::SqlError& e) {
    return journal_error(e, "write");
  }
}

Result<std::vector<std::pair<std::string, std::string>>> IncidentJournal::all() {
  try {
    sql::Stmt st(db_, "SELECT id, state FROM incident ORDER BY rowid");
    std::vector<std::pair<std::string, std::string>> out;
    while (st.step()) out.emplace_back(st.text(0), st.text(1));
    return out;
  } catch (const sql::SqlError& e) {
    return journal_error(e, "read");
  }
}

}  // namespace mdtc::plugin
