#include "net_output.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stub_gps {

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  return a;
}

}  // namespace

NetOutput NetOutput::tcp(int port, std::string& error) {
  NetOutput out;
  out.fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(out.fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(port);
  if (out.fd_ < 0 || ::bind(out.fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(out.fd_, 8) != 0) {
    error = "cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno);
    return out;
  }
  socklen_t len = sizeof a;
  ::getsockname(out.fd_, reinterpret_cast<sockaddr*>(&a), &len);
  out.port_ = ntohs(a.sin_port);
  return out;
}

NetOutput NetOutput::udp(int port, std::string& error) {
  NetOutput out;
  out.udp_ = true;
  out.port_ = port;
  out.fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (out.fd_ < 0 || port <= 0 || port > 65535) error = "--udp needs a port from 1 to 65535";
  return out;
}

NetOutput::NetOutput(NetOutput&& other) noexcept
    : udp_(other.udp_), fd_(other.fd_), port_(other.port_), clients_(std::move(other.clients_)) {
  other.fd_ = -1;
  other.clients_.clear();
}

NetOutput::~NetOutput() {
  for (int c : clients_) ::close(c);
  if (fd_ >= 0) ::close(fd_);
}

std::string NetOutput::url() const {
  return std::string(udp_ ? "udp" : "tcp") + "://127.0.0.1:" + std::to_string(port_);
}

void NetOutput::send(const std::string& bytes) {
  if (udp_) {
    const sockaddr_in to = loopback(port_);
    (void)::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
    return;
  }
  for (int c; (c = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0;) clients_.push_back(c);
  for (auto it = clients_.begin(); it != clients_.end();) {
    const ssize_t n = ::send(*it, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    // A reader that went away (or stopped reading) is dropped.
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      ::close(*it);
      it = clients_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace stub_gps
