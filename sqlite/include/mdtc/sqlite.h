// The one RAII layer over the SQLite C API that every file the product keeps
// goes through: the flag cache, the CAD link's outbox and positions, the
// incident journal and the outcome store. Failures throw SqlError inside a
// module; each module's public functions catch it and answer an Error, so no
// exception crosses a module boundary. storage_fault_code() names the faults
// of the disk rather than of the data (full, read-only, I/O), which callers
// keep apart: those clear by themselves and are retried.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mdtc::sql {

struct SqlError : std::runtime_error {
  SqlError(int code, const std::string& what) : std::runtime_error(what), rc(code) {}
  int rc;
};

// How long a statement waits for another connection's lock before it fails
// with SQLITE_BUSY: the plugin's threads and a CLI may share one file.
inline constexpr int kBusyTimeoutMs = 2000;

class Db {
 public:
  Db() = default;
  // Creating a file makes it private (owner only) before SQLite writes to it.
  Db(const std::string& path, int flags);
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { close(); }

  void close() noexcept;
  sqlite3* get() const { return db_; }
  explicit operator bool() const { return db_ != nullptr; }
  // One or more statements without parameters or rows.
  void exec(const std::string& sql);
  // Runs a statement that answers one integer ("PRAGMA user_version").
  int64_t query_int(std::string_view sql);
  [[noreturn]] void fail(int rc, const std::string& context) const;

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  Stmt(Stmt&& o) noexcept : db_(o.db_), st_(o.st_) { o.st_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(st_); }

  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, int64_t v);
  Stmt& bind(int i, double v);
  Stmt& bind_blob(int i, const std::vector<unsigned char>& v);
  // Binds without copying: `v` must stay unchanged until the statement is
  // reset or rebound.
  Stmt& bind_static(int i, std::string_view v);
  Stmt& bind_blob_static(int i, const std::vector<unsigned char>& v);
  Stmt& bind_null(int i);
  Stmt& bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind(i, v); }
  Stmt& bind_opt(int i, const std::optional<double>& v) { return v ? bind(i, *v) : bind_null(i); }

  bool step();   // true when a row is ready
  void run();    // step to completion, then reset
  void reset();

  std::string text(int col) const;
  // The column's text in place: valid until the next step() or reset().
  std::string_view text_view(int col) const;
  int64_t integer(int col) const;
  double real(int col) const;
  bool is_null(int col) const;
  std::vector<unsigned char> blob(int col) const;
  // The column's bytes in place: valid until the next step() or reset().
  std::basic_string_view<unsigned char> blob_view(int col) const;

 private:
  Db* db_;
  sqlite3_stmt* st_ = nullptr;
};

// Rolls back unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Db& db, const char* begin = "BEGIN IMMEDIATE");
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// "storage.full", "storage.read_only", "storage.io" for a fault of the disk
// (also SQLITE_CANTOPEN), or "" for anything else.
std::string storage_fault_code(int rc);

}  // namespace mdtc::sql
