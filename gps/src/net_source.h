// A GPS stream from the car's router: "tcp://HOST:PORT" (we connect to the
// router's NMEA/TAIP server) or "udp://[ADDR]:PORT" (the router sends
// datagrams to us; we listen). Read like a serial port: the reader polls
// fd() and calls read_some(), so one read loop serves every transport.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "mdtc/result.h"

namespace mdtc::gps {

class ReaderEvents;

struct NetAddress {
  enum class Kind { tcp, udp } kind = Kind::tcp;
  std::string host;  // tcp: name or address; udp: local address, "" = any
  int port = 0;      // udp: 0 = any free port (tests)
};

// True when text names a network source (starts with tcp:// or udp://).
bool is_net_address(std::string_view text) noexcept;
// "tcp://10.0.0.1:9001", "tcp://router.local:9001", "tcp://[fe80::1]:9001",
// "udp://:9001", "udp://0.0.0.0:9001", "udp://[::]:9001". Error
// "gps.bad_port" names the text and the expected forms.
Result<NetAddress> parse_net_address(std::string_view text);

class NetSource {
 public:
  // TCP: resolves and connects, waiting at most connect_timeout_ms and
  // ending early on events.wake(). UDP: binds. Errors ("gps.connect_failed",
  // "gps.bind_failed", "gps.stopped") name the address and the reason.
  static Result<NetSource> open(const NetAddress& address, ReaderEvents& events, int connect_timeout_ms);

  NetSource(NetSource&& other) noexcept;
  NetSource& operator=(NetSource&& other) noexcept;
  NetSource(const NetSource&) = delete;
  NetSource& operator=(const NetSource&) = delete;
  ~NetSource();

  int fd() const noexcept { return fd_; }
  // "tcp 10.0.0.1:9001" (the peer) or "udp 0.0.0.0:40123" (the bound
  // address, with the port the system chose).
  const std::string& name() const noexcept { return name_; }
  // Datagrams: read until empty, each read is one whole message.
  bool datagrams() const noexcept { return udp_; }
  // Reads what is available: 0 = nothing now. "gps.device_gone" when the
  // router closed or reset the connection.
  Result<std::size_t> read_some(char* buf, std::size_t size);
  void close() noexcept;

 private:
  NetSource(int fd, std::string name, bool udp) : fd_(fd), name_(std::move(name)), udp_(udp) {}
  int fd_ = -1;
  std::string name_;
  bool udp_ = false;
};

}  // namespace mdtc::gps
