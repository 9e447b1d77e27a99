// A small SQLite file owned by the plugin itself (outcome records, the
// incident journal): open-and-create-schema, one-shot writes, RAII close.
#pragma once

#include <initializer_list>
#include <string>
#include <vector>

#include "mdtc/result.h"

struct sqlite3;

namespace mdtc::plugin {

class SqliteFile {
 public:
  // Opens (creating if needed) and runs `schema_sql`; errors use `code`.
  static Result<SqliteFile> open(const std::string& path, const char* schema_sql,
                                 const std::string& code);
  // Opens an existing file for reading only: never creates it, never writes.
  static Result<SqliteFile> open_read_only(const std::string& path, const std::string& code);
  SqliteFile(SqliteFile&&) noexcept;
  SqliteFile& operator=(SqliteFile&&) noexcept;
  ~SqliteFile();

  // One statement with text parameters that returns no rows.
  Status write(const char* sql, std::initializer_list<const std::string*> params);
  Status write(const std::string& sql, const std::vector<std::string>& params);
  Error error(const std::string& what) const;
  sqlite3* handle() const { return db_; }

 private:
  SqliteFile(sqlite3* db, std::string code) : db_(db), code_(std::move(code)) {}
  sqlite3* db_ = nullptr;
  std::string code_;
};

}  // namespace mdtc::plugin
