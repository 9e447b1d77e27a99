// Thin RAII over the SQLite C API for the cache's own use. Inside the module
// failures throw SqlError; every public Cache function catches and turns them
// into an Error or Freshness::unavailable.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mdtc::cache {

struct SqlError : std::runtime_error {
  SqlError(int code, const std::string& what) : std::runtime_error(what), rc(code) {}
  int rc;
};

class Db {
 public:
  Db() = default;
  Db(const std::string& path, int flags);
  Db(Db&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Db& operator=(Db&& o) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() { close(); }

  void close() noexcept;
  sqlite3* get() const { return db_; }
  void exec(const std::string& sql);
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

}  // namespace mdtc::cache
