// The ZeroMQ plumbing the CAD link and the registry sync share: a client
// socket set up the same way for both (options, routing id, CURVE), a
// monitor that reports its security handshakes, and the receive of one
// whole multipart message. What each link sends and how it reacts stay in
// link.cpp and registry_channel.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "mdtc/result.h"

namespace mdtc::bridge {

// A routing id (the unit id): 1-64 letters, digits, '-' or '_'.
bool valid_routing_id(const std::string& id);

// The counter a link bumps for a message it dropped: "wire.bad_json" or
// "sync.bad_json" -> "dropped.bad_json".
std::string drop_counter(const std::string& code);

// A client's CURVE keys, each Z85; all empty = CURVE off.
struct CurveClientKeys {
  std::string server_public, client_public, client_secret;
  bool on() const { return !server_public.empty(); }
  // Off, or all three 40 characters long.
  bool complete() const;
};

struct ClientSocketOptions {
  zmq::socket_type type = zmq::socket_type::dealer;
  std::string routing_id;  // empty = none
  // ZeroMQ drops the whole connection when a frame exceeds it: a memory
  // guard, well above any message the link means to accept.
  int64_t max_frame_bytes = 256 << 10;
  CurveClientKeys curve;
};

// A socket that drops what it has not sent when closed (linger 0), redials
// from 100 ms to 5 s, and authenticates the server by its pinned key when
// CURVE is on. Not yet connected. Throws zmq::error_t.
std::unique_ptr<zmq::socket_t> make_client_socket(zmq::context_t& ctx, const ClientSocketOptions& o);

// Watches a socket's security handshakes through an inproc PAIR socket.
// Destroy it before the socket it watches.
class HandshakeMonitor {
 public:
  // Errors: "<error_code>" naming `what` ("the CAD link sockets").
  static Result<std::unique_ptr<HandshakeMonitor>> watch(zmq::context_t& ctx, zmq::socket_t& watched,
                                                         const std::string& error_code,
                                                         const std::string& what);
  ~HandshakeMonitor();
  HandshakeMonitor(const HandshakeMonitor&) = delete;
  HandshakeMonitor& operator=(const HandshakeMonitor&) = delete;

  // To poll: readable when an event waits.
  zmq::socket_t& socket() { return events_; }
  // Calls `on_event` for each event that arrived, in order, without
  // waiting: true for a handshake that succeeded, false for one that failed
  // (a peer without the pinned server key, or without CURVE at all).
  void drain(const std::function<void(bool succeeded)>& on_event);

 private:
  HandshakeMonitor(zmq::socket_t& watched, zmq::socket_t events) : watched_(watched), events_(std::move(events)) {}
  zmq::socket_t& watched_;
  zmq::socket_t events_;
};

// Receives one whole message into `frames` (cleared first) without waiting
// for it to arrive; false when none is queued. Throws zmq::error_t.
bool receive_message(zmq::socket_t& s, std::vector<zmq::message_t>& frames);

}  // namespace mdtc::bridge
