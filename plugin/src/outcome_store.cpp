#include "outcome_store.h"

#include <sqlite3.h>

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

std::string column(sqlite3_stmt* st, int i) {
  const auto* text = sqlite3_column_text(st, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

Result<int> user_version(SqliteFile& f) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(f.handle(), "PRAGMA user_version", -1, &st, nullptr) != SQLITE_OK)
    return f.error("cannot read the schema version");
  int v = 0;
  if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return v;
}

// The columns the file's outcome table has; empty when it has none.
Result<std::set<std::string>> table_columns(SqliteFile& f) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(f.handle(), "PRAGMA table_info(outcome)", -1, &st, nullptr) != SQLITE_OK)
    return f.error("cannot read the outcome table");
  std::set<std::string> cols;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) cols.insert(column(st, 1));
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return f.error("cannot read the outcome table");
  return cols;
}

Status exec(SqliteFile& f, const std::string& sql, const std::string& what) {
  if (sqlite3_exec(f.handle(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return f.error(what);
  return Ok{};
}

Status migrate(SqliteFile& f, const std::string& path) {
  auto version = user_version(f);
  if (!version) return version.error();
  if (*version > kOutcomeSchemaVersion)
    return make_error("outcomes.newer_schema", "outcome store " + path + " has schema version " +
                                                   std::to_string(*version) + ": expected " +
                                                   std::to_string(kOutcomeSchemaVersion) +
                                                   " or older (a newer version of the plugin wrote it)");
  if (*version == kOutcomeSchemaVersion) return Ok{};
  // One transaction: a crash mid-migration leaves the older file whole.
  constexpr int kHandedOff = static_cast<int>(OutcomeStep::handed_off);
  std::string sql = "BEGIN IMMEDIATE;";
  if (*version < 2) {
    sql += kVersion0;
    sql += "ALTER TABLE outcome ADD COLUMN requested_by TEXT NOT NULL DEFAULT 'unknown';";
    for (int s = 0; s < kHandedOff; ++s) sql += "ALTER TABLE outcome ADD COLUMN " + step_column(s) + " TEXT;";
    for (const auto& c : added_code_columns())
      sql += "ALTER TABLE outcome ADD COLUMN " + c + " TEXT NOT NULL DEFAULT 'unknown';";
  }
  sql += "ALTER TABLE outcome ADD COLUMN " + step_column(kHandedOff) + " TEXT;";
  sql += "ALTER TABLE outcome ADD COLUMN handoff TEXT NOT NULL DEFAULT '';";
  sql += "PRAGMA user_version=" + std::to_string(kOutcomeSchemaVersion) + ";COMMIT;";
  if (auto st = exec(f, sql, "cannot migrate " + path + " to schema version " +
                                 std::to_string(kOutcomeSchemaVersion));
      !st) {
    sqlite3_exec(f.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    return st;
  }
  return Ok{};
}

}  // namespace

Result<OutcomeStore> OutcomeStore::open(const std::string& path) {
  auto file = SqliteFile::open(path, "PRAGMA journal_mode=WAL;", kCode);
  if (!file) return file.error();
  if (auto st = migrate(*file, path); !st) return st.error();
  return OutcomeStore(std::move(*file));
}

Result<OutcomeStore> OutcomeStore::open_read_only(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error("outcomes.not_outcomes", path + " is a directory: expected a unit's outcomes-<unit>.db in it");
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error("outcomes.missing", "outcome store " + path +
                                              " does not exist: expected a unit's outcomes-<unit>.db");
  auto file = SqliteFile::open_read_only(path, kCode);
  if (!file) return file.error();
  const auto not_outcomes = [&] {
    return make_error("outcomes.not_outcomes",
                      path + " is not an outcome store: expected an SQLite file with an outcome table");
  };
  auto version = user_version(*file);
  if (!version) return not_outcomes();
  if (*version > kOutcomeSchemaVersion)
    return make_error("outcomes.newer_schema", "outcome store " + path + " has schema version " +
                                                   std::to_string(*version) + ": expected " +
                                                   std::to_string(kOutcomeSchemaVersion) + " or older");
  auto cols = table_columns(*file);
  if (!cols || cols->count("request_id") == 0) return not_outcomes();
  return OutcomeStore(std::move(*file));
}

Status OutcomeStore::stamp(const OutcomeStamp& s) {
  const std::string col = step_column(static_cast<int>(s.step));
  const std::string at = utc_text(s.at_ms);
  if (auto st = exec(file_, "BEGIN IMMEDIATE", "cannot stamp " + s.request_id); !st) return st;
  Status st = file_.write(
      "INSERT INTO outcome(request_id, incident_id, unit, disposition, recorded_at)"
      " VALUES(?,?,?,'unknown','') ON CONFLICT(request_id) DO NOTHING",
      std::vector<std::string>{s.request_id, s.incident_id, s.unit});
  if (st) st = file_.write("UPDATE outcome SET " + col + " = COALESCE(" + col + ", ?) WHERE request_id = ?",
                           std::vector<std::string>{at, s.request_id});
  if (st && !s.handoff.empty())
    st = file_.write("UPDATE outcome SET handoff = ? WHERE request_id = ? AND handoff = ''",
                     std::vector<std::string>{s.handoff, s.request_id});
  if (st && is_requester(s.requested_by) && s.requested_by != kUnknown)
    st = file_.write("UPDATE outcome SET requested_by = ? WHERE request_id = ? AND requested_by = 'unknown'",
                     std::vector<std::string>{s.requested_by, s.request_id});
  if (st) st = exec(file_, "COMMIT", "cannot stamp " + s.request_id);
  if (!st) sqlite3_exec(file_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  return st;
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
  return file_.write("INSERT INTO outcome(" + cols + ") VALUES(" + marks +
                         ") ON CONFLICT(request_id) DO UPDATE SET " + updates,
                     params);
}

Result<std::vector<Outcome>> OutcomeStore::all() {
  auto have = table_columns(file_);
  if (!have) return have.error();
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
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(file_.handle(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    return file_.error("prepare");
  std::vector<Outcome> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    Outcome o;
    o.request_id = column(st, 0);
    o.incident_id = column(st, 1);
    o.unit = column(st, 2);
    o.codes["disposition"] = column(st, 3);
    o.note = column(st, 4);
    o.recorded_at = column(st, 5);
    if (auto by = column(st, 6); is_requester(by)) o.requested_by = by;
    o.handoff = column(st, 7);
    int i = 8;
    for (int s = 0; s < kOutcomeSteps; ++s) o.at[s] = parse_utc_text(column(st, i++));
    for (const auto& c : added_code_columns()) o.codes[c] = column(st, i++);
    out.push_back(std::move(o));
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return file_.error("cannot read outcomes");
  return out;
}

}  // namespace mdtc::plugin
