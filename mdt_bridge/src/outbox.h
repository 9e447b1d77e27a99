// The durable outbox: every outbound message is stored before it is sent
// and deleted only when the gateway acks its key, so a request the officer
// tapped survives a crash, a reboot or a dead link. SQLite file, or memory
// when no path is configured.
//
// When the file cannot be written (a full or read-only disk), a message is
// still queued, in memory only, and marked not kept: an officer's request
// must reach CAD even when it cannot also survive a restart. retry() stores
// those messages in the file as soon as it takes writes again.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mdtc/result.h"
#include "mdtc/sqlite.h"

namespace mdtc::bridge {

struct OutboxEntry {
  std::string key;
  std::string body;   // the complete wire body, envelope included
  bool kept = true;   // false: held in memory only, lost if the plugin restarts now
};

// "storage.full", "storage.read_only", "storage.io": the disk, not the data.
bool is_storage_fault(const Error& e);

// How a body is sealed at rest (it carries the incident's address and care
// codes): `seal(body, key)` gives what is stored (nothing: no key to seal
// with now, so the body is held in memory only, never stored in the clear);
// `open(stored, key)` gives the body back, or nothing when it was altered
// or sealed under another key.
struct OutboxSealing {
  std::function<std::optional<std::string>(const std::string& body, const std::string& key)> seal;
  std::function<std::optional<std::string>(const std::string& stored, const std::string& key)> open;
};

class Outbox {
 public:
  // Opens (creating if needed) the outbox at `path`; "" keeps it in memory.
  static Result<std::unique_ptr<Outbox>> open(const std::string& path);
  // An outbox whose file could not be opened (`why`): it queues in memory
  // and opens `path` on a later retry().
  static std::unique_ptr<Outbox> until_writable(const std::string& path, Error why);
  Outbox(const Outbox&) = delete;
  // From now on bodies are stored sealed; call before anything else.
  void seal_with(OutboxSealing sealing) { sealing_ = std::move(sealing); }
  Outbox& operator=(const Outbox&) = delete;

  // Allocates the next outbound seq (persisted, so it keeps rising across
  // restarts), builds the body via `make_body(seq)` and stores it, in one
  // transaction. On a storage fault the entry is queued in memory with
  // kept = false; any other failure is an error. Thread-safe.
  template <class MakeBody>
  Result<OutboxEntry> enqueue(MakeBody&& make_body);

  Status remove(const std::string& key);  // unknown key is not an error
  Result<std::vector<OutboxEntry>> pending() const;  // oldest first
  std::size_t size() const;

  // The storage fault that keeps new messages in memory; none when the
  // file takes writes.
  std::optional<Error> fault() const;
  // Tries the file again: opens it if it never opened, then stores what
  // was held in memory. Ok once the file takes writes.
  Status retry();

 private:
  Outbox() = default;
  Status open_file();
  Result<uint64_t> take_seq();
  Status store(const OutboxEntry& e);
  Status exec(const char* sql);
  OutboxEntry& hold_in_memory(OutboxEntry e);

  mutable std::mutex mu_;
  std::string path_;
  mutable sql::Db db_;                    // closed: memory mode, or not open yet
  std::vector<OutboxEntry> memory_;       // memory mode, or not kept
  uint64_t last_seq_ = 0;
  std::optional<Error> fault_;
  OutboxSealing sealing_;
};

template <class MakeBody>
Result<OutboxEntry> Outbox::enqueue(MakeBody&& make_body) {
  std::lock_guard lock(mu_);
  if (db_ && !fault_) {
    Status st = exec("BEGIN IMMEDIATE");
    std::optional<uint64_t> seq;
    if (st) {
      if (auto s = take_seq(); s) seq = s.value();
      else st = s.error();
    }
    if (seq) {
      Result<OutboxEntry> entry = make_body(*seq);
      if (!entry) {
        (void)exec("ROLLBACK");
        return entry;
      }
      st = store(entry.value());
      if (st) st = exec("COMMIT");
      if (st) {
        last_seq_ = *seq;
        return entry;
      }
    }
    (void)exec("ROLLBACK");
    if (!is_storage_fault(st.error())) return st.error();
    fault_ = st.error();
  }
  // Memory: by configuration, or because the file refuses writes now.
  Result<OutboxEntry> entry = make_body(last_seq_ + 1);
  if (!entry) return entry;
  ++last_seq_;
  entry->kept = path_.empty();
  return hold_in_memory(std::move(entry.value()));
}

}  // namespace mdtc::bridge
