#include "net_source.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "reader_events.h"

namespace mdtc::gps {

namespace {

Error bad_address(std::string_view text, const char* why) {
  return make_error("gps.bad_port", "gps port '" + std::string(text.substr(0, 200)) + "': " + why +
                                        "; expected tcp://HOST:PORT or udp://[ADDR]:PORT");
}

std::string endpoint_text(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  int port = 0;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    port = ntohs(in->sin_port);
    return std::string(host) + ":" + std::to_string(port);
  }
  const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  port = ntohs(in6->sin6_port);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

struct AddrInfo {
  addrinfo* list = nullptr;
  ~AddrInfo() {
    if (list) ::freeaddrinfo(list);
  }
};

}  // namespace

bool is_net_address(std::string_view text) noexcept {
  return text.rfind("tcp://", 0) == 0 || text.rfind("udp://", 0) == 0;
}

Result<NetAddress> parse_net_address(std::string_view text) {
  if (!is_net_address(text)) return bad_address(text, "not a network address");
  NetAddress a;
  a.kind = text[0] == 't' ? NetAddress::Kind::tcp : NetAddress::Kind::udp;
  std::string_view rest = text.substr(6);
  std::string_view host, port;
  if (!rest.empty() && rest.front() == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      return bad_address(text, "an address in [ ] must be followed by :PORT");
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad_address(text, "no :PORT");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return bad_address(text, "an IPv6 address needs [ ]");
  }
  if (port.empty() || port.size() > 5) return bad_address(text, "the port must be 1-65535");
  int p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return bad_address(text, "the port must be 1-65535");
    p = p * 10 + (c - '0');
  }
  // Port 0 (any free port) only makes sense for a listener.
  if (p > 65535 || (p == 0 && a.kind == NetAddress::Kind::tcp)) return bad_address(text, "the port must be 1-65535");
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '/' || c == '@' || c == '[' || c == ']')
      return bad_address(text, "the host has characters a host name cannot have");
  }
  if (a.kind == NetAddress::Kind::tcp && host.empty()) return bad_address(text, "tcp needs the router's host");
  a.host = std::string(host);
  a.port = p;
  return a;
}

Result<NetSource> NetSource::open(const NetAddress& address, ReaderEvents& events, int connect_timeout_ms) {
  const bool udp = address.kind == NetAddress::Kind::udp;
  const std::string wanted = std::string(udp ? "udp " : "tcp ") + (address.host.empty() ? "*" : address.host) + ":" +
                             std::to_string(address.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
  hints.ai_flags = udp ? AI_PASSIVE : 0;
  if (udp && address.host.empty()) hints.ai_family = AF_INET;
  AddrInfo ai;
  const std::string service = std::to_string(address.port);
  if (const int rc = ::getaddrinfo(address.host.empty() ? nullptr : address.host.c_str(), service.c_str(), &hints,
                                   &ai.list);
      rc != 0) {
    return make_error(udp ? "gps.bind_failed" : "gps.connect_failed",
                      "cannot resolve " + wanted + ": " + ::gai_strerror(rc));
  }
  std::string why = "no usable address";
  for (addrinfo* p = ai.list; p; p = p->ai_next) {
    const int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, p->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    NetSource s(fd, wanted, udp);
    if (udp) {
      const int one = 1;
      // A restarted plugin must get its port back at once.
      ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (::bind(fd, p->ai_addr, p->ai_addrlen) != 0) {
        why = std::strerror(errno);
        continue;
      }
      sockaddr_storage local{};
      socklen_t len = sizeof local;
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len);
      s.name_ = "udp " + endpoint_text(reinterpret_cast<sockaddr*>(&local));
      return s;
    }
    // Keep-alive finds a router that vanished without closing (power cut)
    // even when no position would be due.
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    s.name_ = "tcp " + endpoint_text(p->ai_addr);
    if (::connect(fd, p->ai_addr, p->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        why = std::strerror(errno);
        continue;
      }
      const auto ready = events.wait_fd(fd, true, connect_timeout_ms);
      if (ready == ReaderEvents::Ready::woken) return make_error("gps.stopped", "stopped while connecting");
      if (ready == ReaderEvents::Ready::timeout) {
        why = "no answer within " + std::to_string(connect_timeout_ms / 1000) + " s";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        why = std::strerror(err);
        continue;
      }
    }
    return s;
  }
  return make_error(udp ? "gps.bind_failed" : "gps.connect_failed",
                    (udp ? "cannot listen on " : "cannot connect to ") + wanted + ": " + why);
}

NetSource::NetSource(NetSource&& other) noexcept
    : fd_(other.fd_), name_(std::move(other.name_)), udp_(other.udp_) {
  other.fd_ = -1;
}

NetSource& NetSource::operator=(NetSource&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = other.fd_;
    name_ = std::move(other.name_);
    udp_ = other.udp_;
    other.fd_ = -1;
  }
  return *this;
}

NetSource::~NetSource() { close(); }

void NetSource::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Result<std::size_t> NetSource::read_some(char* buf, std::size_t size) {
  for (;;) {
    const ssize_t n = ::recv(fd_, buf, size, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0 && !udp_) return make_error("gps.device_gone", name_ + " closed the connection");
    if (n == 0) continue;  // an empty datagram: look for the next one
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::size_t{0};
    // A UDP socket can report an ICMP error from an earlier send; we never
    // send, so anything else is a real failure.
    return make_error("gps.device_gone", name_ + ": " + std::strerror(errno));
  }
}

}  // namespace mdtc::gps
