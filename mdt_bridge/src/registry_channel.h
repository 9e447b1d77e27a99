// The registry sync's channel: one DEALER socket to the registry's ROUTER
// (CURVE and its handshake monitor when keys are set), the request frame out
// and the reply frames in, matched to the request they answer. It knows
// nothing of versions, files or the cache; registry_transfer.h and
// registry_sync.cpp do.
#pragma once

#include <Poco/Logger.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <zmq.hpp>

#include "client_socket.h"
#include "mdtc/registry_sync.h"

namespace mdtc::bridge {

// Adds `by` to the status counter `name`.
using CountFn = std::function<void(const std::string& name, uint64_t by)>;

struct SyncReply {
  SyncMessage msg;
  zmq::message_t data;  // a chunk's payload; empty for other types
};

// The status id of a registry's error code: "sync.registry_<code>" for the
// codes protocol v1 names (empty, no_snapshot, no_path, gone, bad_request),
// "sync.registry_error" for any other.
std::string registry_error_id(const std::string& code);

class RegistryChannel {
 public:
  // `opt` and `log` must outlive the channel. `aborted` is asked while a
  // reply is awaited: true ends the wait with sync.aborted.
  RegistryChannel(const RegistrySyncOptions& opt, const TimeSource& time, CountFn count,
                  std::function<bool()> aborted, Poco::Logger& log);
  ~RegistryChannel();

  bool is_open() const { return sock_ != nullptr; }
  Status open();  // sync.socket
  void close();
  // A fresh connection next time: whatever was in flight on this one is
  // forgotten with it, so a late reply can never be mistaken for a new one.
  void reconnect_later();

  std::string new_req() { return std::to_string(++next_req_); }
  Status send(const SyncMessage& m);  // sync.send
  // Waits for a reply whose req `expected` accepts, for a request timeout
  // and never past `overall_deadline`. Anything else that arrives is
  // counted and dropped. Errors: sync.timeout, sync.handshake,
  // sync.aborted, sync.socket.
  Result<SyncReply> await(const std::function<bool(const std::string&)>& expected);
  // After an await error: the connection is of no more use (unless the
  // wait was only aborted); a timeout is counted.
  void lost(const Error& e);
  // The registry answered `reply` (type "error"): counted, as an Error
  // registry_error_id(its code) whose message names the code.
  Error refusal(const SyncMessage& reply);

  TimeSource::time_point overall_deadline = TimeSource::time_point::max();
  // Whether overall_deadline has passed: a wait it ended says nothing of
  // whether the registry answers.
  bool past_overall_deadline() const { return time_.now() >= overall_deadline; }

 private:
  bool handshake_failed();

  const RegistrySyncOptions& opt_;
  const TimeSource& time_;
  CountFn count_;
  std::function<bool()> aborted_;
  Poco::Logger& log_;
  std::unique_ptr<zmq::context_t> ctx_;
  std::unique_ptr<zmq::socket_t> sock_;
  std::unique_ptr<HandshakeMonitor> monitor_;  // with CURVE only
  uint64_t next_req_ = 0;
};

}  // namespace mdtc::bridge
