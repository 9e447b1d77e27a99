// The durable outbox: every outbound message is stored before it is sent
// and deleted only when the gateway acks its key, so a request the officer
// tapped survives a crash, a reboot or a dead link. SQLite file, or memory
// when no path is configured.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "mdtc/result.h"

struct sqlite3;

namespace mdtc::bridge {

struct OutboxEntry {
  std::string key;
  std::string body;  // the complete wire body, envelope included
};

class Outbox {
 public:
  // Opens (creating if needed) the outbox at `path`; "" keeps it in memory.
  static Result<std::unique_ptr<Outbox>> open(const std::string& path);
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Allocates the next outbound seq (persisted, so it keeps rising across
  // restarts), builds the body via `make_body(seq)` and stores it, in one
  // transaction. Thread-safe.
  template <class MakeBody>
  Result<OutboxEntry> enqueue(MakeBody&& make_body);

  Status remove(const std::string& key);  // unknown key is not an error
  Result<std::vector<OutboxEntry>> pending() const;  // oldest first
  std::size_t size() const;

 private:
  Outbox() = default;
  Result<uint64_t> take_seq();
  Status store(const OutboxEntry& e);
  Status exec(const char* sql);

  mutable std::mutex mu_;
  sqlite3* db_ = nullptr;                 // null: memory mode
  std::vector<OutboxEntry> memory_;
  uint64_t memory_seq_ = 0;
};

template <class MakeBody>
Result<OutboxEntry> Outbox::enqueue(MakeBody&& make_body) {
  std::lock_guard lock(mu_);
  if (db_) {
    if (auto r = exec("BEGIN IMMEDIATE"); !r) return r.error();
  }
  auto seq = take_seq();
  if (!seq) {
    if (db_) (void)exec("ROLLBACK");
    return seq.error();
  }
  Result<OutboxEntry> entry = make_body(seq.value());
  if (!entry) {
    if (db_) (void)exec("ROLLBACK");
    return entry;
  }
  if (auto r = store(entry.value()); !r) {
    if (db_) (void)exec("ROLLBACK");
    return r.error();
  }
  if (db_) {
    if (auto r = exec("COMMIT"); !r) {
      (void)exec("ROLLBACK");
      return r.error();
    }
  }
  return entry;
}

}  // namespace mdtc::bridge
