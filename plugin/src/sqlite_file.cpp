#include "sqlite_file.h"

#include <sqlite3.h>

#include <utility>

#include "mdtc/private_file.h"

namespace mdtc::plugin {

Result<SqliteFile> SqliteFile::open(const std::string& path, const char* schema_sql,
                                    const std::string& code) {
  sqlite3* db = nullptr;
  make_private_file(path);
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  SqliteFile file(db, code);
  if (rc != SQLITE_OK) return file.error("cannot open " + path);
  if (sqlite3_exec(db, schema_sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    return file.error("cannot create the schema in " + path);
  return file;
}

Result<SqliteFile> SqliteFile::open_read_only(const std::string& path, const std::string& code) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  SqliteFile file(db, code);
  if (rc != SQLITE_OK) return file.error("cannot open " + path);
  return file;
}

SqliteFile::SqliteFile(SqliteFile&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), code_(std::move(o.code_)) {}

SqliteFile& SqliteFile::operator=(SqliteFile&& o) noexcept {
  if (this != &o) {
    sqlite3_close(db_);
    db_ = std::exchange(o.db_, nullptr);
    code_ = std::move(o.code_);
  }
  return *this;
}

SqliteFile::~SqliteFile() { sqlite3_close(db_); }

Error SqliteFile::error(const std::string& what) const {
  return make_error(code_, what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
}

Status SqliteFile::write(const char* sql, std::initializer_list<const std::string*> params) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) return error("prepare");
  int i = 0;
  for (const auto* p : params) sqlite3_bind_text(st, ++i, p->c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return error("write");
  return Ok{};
}

Status SqliteFile::write(const std::string& sql, const std::vector<std::string>& params) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return error("prepare");
  int i = 0;
  for (const auto& p : params) sqlite3_bind_text(st, ++i, p.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return error("write");
  return Ok{};
}

}  // namespace mdtc::plugin
