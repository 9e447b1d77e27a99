// What a Cache holds; shared by the files that implement its operations.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "field_cipher.h"
#include "mdtc/cache.h"
#include "sqlite_db.h"

namespace mdtc::cache {

struct Cache::Impl {
  OpenOptions options;
  std::string key_path;
  Db db;
  std::optional<FieldCipher> cipher;
  std::string recovered_from;  // a corrupt file was moved here on open
  int64_t unparsed_queries = 0;
  std::mutex mu;               // one operation at a time on the connection
  // Prepared once per connection: a lookup would otherwise spend more time
  // compiling its five queries than running them.
  std::map<std::string, std::unique_ptr<Stmt>, std::less<>> statements;

  // Resets its statement when it goes out of scope, so no cached statement
  // holds a read transaction open between calls.
  class Lease {
   public:
    explicit Lease(Stmt& s) : s_(s) {}
    ~Lease() { s_.reset(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Stmt* operator->() { return &s_; }
    Stmt& operator*() { return s_; }

   private:
    Stmt& s_;
  };
  Stmt& cached(const std::string& sql) {
    auto it = statements.find(sql);
    if (it == statements.end()) it = statements.emplace(sql, std::make_unique<Stmt>(db, sql)).first;
    it->second->reset();
    return *it->second;
  }

  std::optional<std::string> meta(const std::string& key);
  void set_meta(const std::string& key, const std::string& value);

  Bytes seal(std::string_view plain, std::string_view aad) const { return cipher->seal(plain, aad); }
  // Empty input stays empty; a value that fails authentication reads as
  // std::nullopt (tampered row or wrong key).
  std::optional<std::string> open_sealed(const Bytes& sealed, std::string_view aad) const;
};

// Flags past `expires` or not re-validated within revalidate_days, as of `today`.
bool flag_hidden(const std::string& expires, const std::string& validated, const std::string& today,
                 const std::string& revalidate_cutoff);
std::string revalidate_cutoff(int64_t now, int revalidate_days);

}  // namespace mdtc::cache
