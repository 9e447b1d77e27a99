#include "outcome_store.h"

#include <filesystem>
#include <set>

namespace mdtc::plugin {
namespace {

constexpr const char* kCode = "outcomes.sqlite";

// The first file's table, exactly: a fresh file is made as version 0 and
// migrated like an old one, so both end with the same columns.
constexpr const char* kVersion0 =
    "CREATE TABLE IF NOT EXISTS outcome("
    " request_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, unit TEXT NOT NULL,"
    " disposition TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL);";

std::string step_column(int s) { return std::string(to_string(static_cast<OutcomeStep>(s))) + "_at"; }

// The coded fields but disposition, which version 0 already had.
std::vector<std::string> added_code_columns() {
  std::vector<std::string> out;
  for (const auto& f : outcome_fields())
    if (f.id != "disposition") out.push_back(f.id);
  return out;
}

Error store_error(const sql::SqlError& e, const std::string& what) {
  return make_error(kCode, what + ": " + e.what());
}

// The columns the file's outcome table has; empty when it has none.
std::set<std::string> table_columns(sql::Db& db) {
  sql::Stmt st(db, "PRAGMA table_info(outcome)");
  std::set<std::string> cols;
  while (st.step()) cols.insert(st.text(1));
  return cols;
}

// Throws SqlError for what the file refuses.
Status migrate(sql::Db& db, const std::string& path) {
  const auto version = db.query_int("PRAGMA user_version");
  if (version > kOutcomeSchemaVersion)
    return make_error("outcomes.newer_schema", "outcome store " + path + " has schema version " +
                                                   std::to_string(version) + ": expected " +
                                                   std::to_string(kOutcomeSchemaVersion) +
                                                   " or older (a newer version of the plugin wrote it)");
  if (version == kOutcomeSchemaVersion) return Ok{};
  // One transaction: a crash mid-migration leaves the older file whole.
  constexpr int kHandedOff = static_cast<int>(OutcomeStep::handed_off);
  std::string sql;
  if (version < 2) {
    sql += kVersion0;
    sql += "ALTER TABLE outcome ADD COLUMN requested_by TEXT NOT NULL DEFAULT 'unknown';";
    for (int s = 0; s < kHandedOff; ++s) sql += "ALTER TABLE outcome ADD COLUMN " + step_column(s) + " TEXT;";
    for (const auto& c : added_code_columns())
      sql += "ALTER TABLE outcome ADD COLUMN " + c + " TEXT NOT NULL DEFAULT 'unknown';";
  }
  sql += "ALTER TABLE outcome ADD COLUMN " + step_column(kHandedOff) + " TEXT;";
  sql += "ALTER TABLE outcome ADD COLUMN handoff TEXT NOT NULL DEFAULT '';";
  sql += "PRAGMA user_version=" + std::to_string(kOutcomeSchemaVersion) + ";";
  try {
    sql::Transaction tx(db);
    db.exec(sql);
    tx.commit();
  } catch (const sql::SqlError& e) {
    return store_error(e, "cannot migrate " + path + " to schema version " + std::to_string(kOutcomeSchemaVersion));
  }
  return Ok{};
}

}  // namespace

Result<OutcomeStore> OutcomeStore::open(const std::string& path) {
  try {
    sql::Db db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("PRAGMA journal_mode=WAL;");
    if (auto st = migrate(db, path); !st) return st.error();
    return OutcomeStore(std::move(db));
  } catch (const sql::SqlError& e) {
    return store_error(e, "cannot open " + path);
  }
}

Result<OutcomeStore> OutcomeStore::open_read_only(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error("outcomes.not_outcomes", path + " is a directory: expected a unit's outcomes-<unit>.db in it");
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error("outcomes.missing", "outcome store " + path +
                                              " does not exist: expected a unit's outcomes-<unit>.db");
  sql::Db db;
  try {
    db = sql::Db(path, SQLITE_OPEN_READONLY);
  } catch (const sql::SqlError& e) {
    return store_error(e, "cannot open " + path);
  }
  const auto not_outcomes = [&] {
    return make_error("outcomes.not_outcomes",
                      path + " is not an outcome store: expected an SQLite file with an outcome table");
  };
  try {
    const auto version = db.query_int("PRAGMA user_version");
    if (version > kOutcomeSchemaVersion)
      return make_error("outcomes.newer_schema", "outcome store " + path + " has schema version " +
                                                     std::to_string(version) + ": expected " +
                                                     std::to_string(kOutcomeSchemaVersion) + " or older");
    if (table_columns(db).count("request_id") == 0) return not_outcomes();
  } catch (const sql::SqlError&) {
    return not_outcomes();
  }
  return OutcomeStore(std::move(db));
}

Status OutcomeStore::stamp(const OutcomeStamp& s) {
  const std::string col = step_column(static_cast<int>(s.step));
  const std::string at = utc_text(s.at_ms);
  try {
    sql::Transaction tx(db_);
    sql::Stmt(db_,
              "INSERT INTO outcome(request_id, incident_id, unit, disposition, recorded_at)"
              " VALUES(?,?,?,'unknown','') ON CONFLICT(request_id) DO NOTHING")
        .bind(1, s.request_id)
        .bind(2, s.incident_id)
        .bind(3, s.unit)
        .run();
    if (s.accept_withdrawn && s.step == OutcomeStep::accepted) {
      std::string cleared;
      for (int step = static_cast<int>(OutcomeStep::accepted); step <= static_cast<int>(OutcomeStep::cleared); ++step)
        cleared += (cleared.empty() ? "" : ", ") + step_column(step) + " = NULL";
      sql::Stmt(db_, "UPDATE outcome SET " + cleared + " WHERE request_id = ?").bind(1, s.request_id).run();
    } else {
      sql::Stmt(db_, "UPDATE outcome SET " + col + " = COALESCE(" + col + ", ?) WHERE request_id = ?")
          .bind(1, at)
          .bind(2, s.request_id)
          .run();
    }
    if (!s.handoff.empty())
      sql::Stmt(db_, "UPDATE outcome SET handoff = ? WHERE request_id = ? AND handoff = ''")
          .bind(1, s.handoff)
          .bind(2, s.request_id)
          .run();
    if (is_requester(s.requested_by) && s.requested_by != kUnknown)
      sql::Stmt(db_, "UPDATE outcome SET requested_by = ? WHERE request_id = ? AND requested_by = 'unknown'")
          .bind(1, s.requested_by)
          .bind(2, s.request_id)
          .run();
    tx.commit();
    return Ok{};
  } catch (const sql::SqlError& e) {
    return store_error(e, "cannot stamp " + s.request_id);
  }
}

Status OutcomeStore::record(const Outcome& o) {
  if (!is_disposition(o.disposition()))
    return make_error("outcomes.bad_disposition",
                      "disposition '" + o.disposition() + "' is not one of the reported dispositions");
  std::string cols = "request_id, incident_id, unit, disposition, note, recorded_at";
  std::string marks = "?,?,?,?,?,?";
  std::string updates = "disposition=excluded.disposition, note=excluded.note, recorded_at=excluded.recorded_at";
  std::vector<std::string> params = {o.request_id, o.incident_id, o.unit, o.disposition(), o.note, o.recorded_at};
  for (const auto& c : added_code_columns()) {
    const std::string code = o.code(c);
    if (!is_outcome_code(c, code))
      return make_error("outcomes.bad_code", c + " = '" + code + "': not one of its codes");
    cols += ", " + c;
    marks += ",?";
    updates += ", " + c + "=excluded." + c;
    params.push_back(code);
  }
  try {
    sql::Stmt st(db_, "INSERT INTO outcome(" + cols + ") VALUES(" + marks + ") ON CONFLICT(request_id) DO UPDATE SET " +
                          updates);
    for (std::size_t i = 0; i < params.size(); ++i) st.bind(static_cast<int>(i + 1), params[i]);
    st.run();
    return Ok{};
  } catch (const sql::SqlError& e) {
    return store_error(e, "write");
  }
}

Result<std::vector<Outcome>> OutcomeStore::all() try {
  const std::set<std::string> cols = table_columns(db_);
  const auto* have = &cols;
  // A version 0 file read without migrating has only the first columns;
  // the rest read as not seen / unknown.
  std::vector<std::string> wanted = {"request_id", "incident_id", "unit", "disposition", "note",
                                     "recorded_at", "requested_by", "handoff"};
  for (int s = 0; s < kOutcomeSteps; ++s) wanted.push_back(step_column(s));
  for (const auto& c : added_code_columns()) wanted.push_back(c);
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < wanted.size(); ++i)
    sql += (i ? ", " : "") + (have->count(wanted[i]) ? wanted[i] : std::string("NULL"));
  sql += have->count("requested_at") ? " FROM outcome ORDER BY COALESCE(requested_at, offered_at, recorded_at)"
                                     : " FROM outcome ORDER BY recorded_at";
  sql += ", request_id";
  sql::Stmt st(db_, sql);
  std::vector<Outcome> out;
  while (st.step()) {
    Outcome o;
    o.request_id = st.text(0);
    o.incident_id = st.text(1);
    o.unit = st.text(2);
    o.codes["disposition"] = st.text(3);
    o.note = st.text(4);
    o.recorded_at = st.text(5);
    if (auto by = st.text(6); is_requester(by)) o.requested_by = by;
    o.handoff = st.text(7);
    int i = 8;
    for (int s = 0; s < kOutcomeSteps; ++s) o.at[s] = parse_utc_text(st.text(i++));
    for (const auto& c : added_code_columns()) o.codes[c] = st.text(i++);
    out.push_back(std::move(o));
  }
  return out;
} catch (const sql::SqlError& e) {
  return store_error(e, "cannot read outcomes");
}

}  // namespace mdtc::plugin
