// The plugin's link to the CAD gateway over ZeroMQ, wire protocol v1
// (docs/protocol.md; the messages themselves are in mdtc/wire.h): a SUB
// socket for `unit.<id>` and `all`, and a DEALER socket (identity = unit id)
// for everything the unit sends. No ZeroMQ or JSON library type appears here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/civic_address.h"
#include "mdtc/location.h"
#include "mdtc/result.h"
#include "mdtc/time_source.h"
#include "mdtc/wire.h"

namespace mdtc::bridge {

struct LinkOptions {
  std::string unit_id;
  // The DEALER's routing id; empty = unit_id. A diagnostic visit (doctor)
  // uses its own: a gateway's ROUTER hands an id to its newest connection,
  // and the running plugin's would be cut off.
  std::string routing_id;
  std::string subscribe_endpoint = "tcp://127.0.0.1:5556";
  std::string dealer_endpoint = "tcp://127.0.0.1:5557";
  std::string server_public_key;  // Z85; empty = CURVE off
  std::string client_public_key;  // Z85
  std::string client_secret_key;  // Z85
  int heartbeat_timeout_s = 15;
  std::size_t max_message_bytes = 65536;
  std::string outbox_path;  // SQLite file for the durable outbox; empty = memory only
  // JSON object body of the `hello` the link sends on every (re)connect and
  // after a gateway restart, so the gateway knows this unit's role and name.
  std::string hello_json = "{}";
  // With an outbox file, the link also keeps its place on each topic there
  // and, restarted within this many seconds, catches up what was published
  // while it was down. An older place is stale: the unit starts afresh and
  // those dispatches are history, not news to pop hours late.
  int resume_window_s = 600;
  // Seals a stored outbox body (it carries the call's address and care
  // codes) and opens it again; both empty = stored as sent. `seal` returns
  // nothing when it cannot seal now (the body is then not kept); `open`
  // nothing for a body that was altered or sealed under another key.
  std::function<std::optional<std::string>(const std::string& body, const std::string& key)> seal_body;
  std::function<std::optional<std::string>(const std::string& stored, const std::string& key)>
      open_body;
  // The steady time behind heartbeat liveness, retries, catch-up asks and
  // redials; null = the system's steady clock.
  std::shared_ptr<const TimeSource> time;
  // Told of a dispatch to this unit that was dropped as unreadable but names
  // its incident: without it the unit would show nothing, and no panel must
  // never stand for "no flags" when the flags were never looked up. Once per
  // incident; called on the link thread.
  std::function<void(const std::string& incident_id, const std::string& why)> on_unread_dispatch;
};

struct LinkStatus {
  bool up = false;
  int64_t silent_s = 0;  // seconds since the last message from the gateway
  std::string detail;    // "CAD link down 40 s"
};

using Counters = std::map<std::string, uint64_t>;

// What send() did with a message. Not kept: the outbox file refused the
// write (a full or read-only disk), so the message goes out from memory
// and would be lost if the plugin restarted before the gateway acked it.
struct Queued {
  bool kept = true;
};

// Owns the sockets and a thread. Handlers run on the link thread; they must
// hand work to the pipeline and return quickly.
class Link {
 public:
  using MessageHandler = std::function<void(Message)>;
  using StatusHandler = std::function<void(const LinkStatus&)>;

  Link(LinkOptions options, MessageHandler on_message, StatusHandler on_status);
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  Status start();
  void stop();  // safe to call twice

  // Queues an outbound message (type + JSON object body without envelope
  // fields; the link adds v, seq, sent_at, unit and an idempotency key).
  // Thread-safe; never blocks on the network. A full or read-only disk is
  // not an error: the message is still sent, and the answer says not kept.
  Result<Queued> send(const std::string& type, const std::string& json_object);
  // The same for a typed message: encoded here, so callers build no JSON.
  Result<Queued> send(const Outbound& message);

  Counters counters() const;
  // The disk fault that keeps outbound messages (or the link's place on
  // its topics) from the outbox file, in one line; none when it is fine.
  // The link retries the file by itself every few seconds.
  std::optional<std::string> storage_fault() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// CURVE key pairs for the link (docs/protocol.md, "CURVE"). Key files are
// text, mode 0600:
//   # comment
//   public=<40 Z85 characters>
//   secret=<40 Z85 characters>
// A file holding only `public=` is a server's published key.
struct CurveKeyPair {
  std::string public_key;  // Z85, 40 characters
  std::string secret_key;  // Z85, 40 characters; empty for a public-only file
};

// A fresh key pair from libzmq (libsodium underneath). Error when this
// libzmq was built without CURVE ("keys.no_curve").
Result<CurveKeyPair> generate_curve_key_pair();
// Writes `keys` to `path` with mode 0600; refuses to replace an existing
// file unless `overwrite` ("keys.exists").
Status write_curve_key_file(const std::string& path, const CurveKeyPair& keys, bool overwrite);
// Reads a key file; `need_secret` refuses a public-only file.
Result<CurveKeyPair> read_curve_key_file(const std::string& path, bool need_secret = true);

}  // namespace mdtc::bridge
