#include "incident_journal.h"

#include <sqlite3.h>

namespace mdtc::plugin {

Result<IncidentJournal> IncidentJournal::open(const std::string& path) {
  // NORMAL in WAL mode survives a crash of the process, which is what a
  // restart mid-call is; the journal is a convenience, not a record.
  auto file = SqliteFile::open(
      path,
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
      "CREATE TABLE IF NOT EXISTS incident(id TEXT PRIMARY KEY, state TEXT NOT NULL);",
      "journal.sqlite");
  if (!file) return file.error();
  return IncidentJournal(std::move(*file));
}

Status IncidentJournal::put(const std::string& id, const std::string& state) {
  return file_.write(
      "INSERT INTO incident(id, state) VALUES(?1, ?2)"
      " ON CONFLICT(id) DO UPDATE SET state = excluded.state",
      {&id, &state});
}

Status IncidentJournal::erase(const std::string& id) {
  return file_.write("DELETE FROM incident WHERE id = ?1", {&id});
}

Result<std::vector<std::pair<std::string, std::string>>> IncidentJournal::all() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(file_.handle(), "SELECT id, state FROM incident ORDER BY rowid", -1, &st,
                         nullptr) != SQLITE_OK)
    return file_.error("prepare");
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    out.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)),
                     reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return file_.error("read");
  return out;
}

}  // namespace mdtc::plugin
