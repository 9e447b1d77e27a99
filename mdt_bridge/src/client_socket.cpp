#include "client_socket.h"

#include <atomic>
#include <cctype>
#include <cstring>

namespace mdtc::bridge {

bool valid_routing_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

std::string drop_counter(const std::string& code) {
  auto dot = code.find('.');
  return "dropped." + (dot == std::string::npos ? code : code.substr(dot + 1));
}

bool CurveClientKeys::complete() const {
  return !on() || (server_public.size() == 40 && client_public.size() == 40 && client_secret.size() == 40);
}

std::unique_ptr<zmq::socket_t> make_client_socket(zmq::context_t& ctx, const ClientSocketOptions& o) {
  auto s = std::make_unique<zmq::socket_t>(ctx, o.type);
  s->set(zmq::sockopt::linger, 0);
  s->set(zmq::sockopt::reconnect_ivl, 100);
  s->set(zmq::sockopt::reconnect_ivl_max, 5000);
  s->set(zmq::sockopt::maxmsgsize, o.max_frame_bytes);
  if (!o.routing_id.empty()) s->set(zmq::sockopt::routing_id, o.routing_id);
  if (o.curve.on()) {
    s->set(zmq::sockopt::curve_serverkey, o.curve.server_public);
    s->set(zmq::sockopt::curve_publickey, o.curve.client_public);
    s->set(zmq::sockopt::curve_secretkey, o.curve.client_secret);
  }
  return s;
}

Result<std::unique_ptr<HandshakeMonitor>> HandshakeMonitor::watch(zmq::context_t& ctx, zmq::socket_t& watched,
                                                                  const std::string& error_code,
                                                                  const std::string& what) {
  // inproc names are per context; a count keeps every monitor's apart.
  static std::atomic<uint64_t> made{0};
  const std::string name = "inproc://mdtc-handshake-monitor-" + std::to_string(++made);
  constexpr int kEvents = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                          ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
  if (zmq_socket_monitor(watched.handle(), name.c_str(), kEvents) != 0)
    return make_error(error_code, "cannot monitor " + what + ": " + std::string(zmq_strerror(zmq_errno())));
  try {
    zmq::socket_t events(ctx, zmq::socket_type::pair);
    events.connect(name);
    return std::unique_ptr<HandshakeMonitor>(new HandshakeMonitor(watched, std::move(events)));
  } catch (const zmq::error_t& e) {
    zmq_socket_monitor(watched.handle(), nullptr, 0);
    return make_error(error_code, "cannot monitor " + what + ": " + e.what());
  }
}

HandshakeMonitor::~HandshakeMonitor() { zmq_socket_monitor(watched_.handle(), nullptr, 0); }

void HandshakeMonitor::drain(const std::function<void(bool succeeded)>& on_event) {
  while (true) {
    zmq::message_t event, addr;
    if (!events_.recv(event, zmq::recv_flags::dontwait)) return;
    if (event.more()) (void)events_.recv(addr);
    uint16_t id = 0;
    if (event.size() >= sizeof id) std::memcpy(&id, event.data(), sizeof id);
    on_event(id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  }
}

bool receive_message(zmq::socket_t& s, std::vector<zmq::message_t>& frames) {
  frames.clear();
  zmq::message_t part;
  if (!s.recv(part, zmq::recv_flags::dontwait)) return false;
  frames.push_back(std::move(part));
  while (frames.back().more()) {
    zmq::message_t next;
    if (!s.recv(next)) break;
    frames.push_back(std::move(next));
  }
  return true;
}

}  // namespace mdtc::bridge
