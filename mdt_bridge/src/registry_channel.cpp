#include "registry_channel.h"

#include <vector>

namespace mdtc::bridge {
namespace {

using namespace std::chrono_literals;
constexpr auto kTick = 100ms;  // how often a wait looks at stop/halt

}  // namespace

RegistryChannel::RegistryChannel(const RegistrySyncOptions& opt, const TimeSource& time, CountFn count,
                                 std::function<bool()> aborted, Poco::Logger& log)
    : opt_(opt), time_(time), count_(std::move(count)), aborted_(std::move(aborted)), log_(log) {}

RegistryChannel::~RegistryChannel() { close(); }

Status RegistryChannel::open() {
  try {
    if (!ctx_) ctx_ = std::make_unique<zmq::context_t>(1);
    ClientSocketOptions o;
    o.type = zmq::socket_type::dealer;
    o.routing_id = opt_.identity;
    // A larger frame makes ZeroMQ drop the connection, which the request
    // timeout then notices.
    o.max_frame_bytes = static_cast<int64_t>(kMaxChunkBytes + (64 << 10));
    o.curve = {opt_.server_public_key, opt_.client_public_key, opt_.client_secret_key};
    sock_ = make_client_socket(*ctx_, o);
    if (o.curve.on()) {
      auto mon = HandshakeMonitor::watch(*ctx_, *sock_, "sync.socket", "the registry socket");
      if (!mon) {
        close();
        return mon.error();
      }
      monitor_ = std::move(mon.value());
    }
    sock_->connect(opt_.endpoint);
  } catch (const zmq::error_t& e) {
    close();
    return make_error("sync.socket", "registry socket (" + opt_.endpoint + "): " + e.what());
  }
  count_("connects", 1);
  return Ok{};
}

void RegistryChannel::close() {
  monitor_.reset();
  sock_.reset();
}

void RegistryChannel::reconnect_later() {
  if (!sock_) return;
  close();
  count_("reconnects", 1);
}

void RegistryChannel::lost(const Error& e) {
  if (e.code == "sync.aborted") return;
  if (e.code == "sync.timeout" || e.code == "sync.unusable_replies") count_("timeouts", 1);
  reconnect_later();
}

std::string registry_error_id(const std::string& code) {
  // The codes protocol v1 names keep an id of their own; any other is one
  // id, so that what a registry sends cannot add ids to the unit's
  // namespace (monitoring matches on them). The code itself is in the
  // message.
  static const char* const kNamed[] = {"empty", "no_snapshot", "no_path", "gone", "bad_request"};
  for (const char* named : kNamed)
    if (code == named) return "sync.registry_" + code;
  return "sync.registry_error";
}

Error RegistryChannel::refusal(const SyncMessage& reply) {
  count_("registry_errors", 1);
  return make_error(registry_error_id(reply.code), "registry " + opt_.endpoint + " answered " + reply.code +
                                                       (reply.message.empty() ? "" : ": " + reply.message));
}

Status RegistryChannel::send(const SyncMessage& m) {
  const std::string body = encode_sync_message(m);
  try {
    if (!sock_->send(zmq::buffer(body), zmq::send_flags::dontwait))
      return make_error("sync.send", "registry " + opt_.endpoint + ": send queue full");
  } catch (const zmq::error_t& e) {
    return make_error("sync.send", "registry " + opt_.endpoint + ": " + e.what());
  }
  count_("requests", 1);
  return Ok{};
}

// True when a handshake failed (wrong or missing server key).
bool RegistryChannel::handshake_failed() {
  bool failed = false;
  monitor_->drain([&](bool succeeded) { failed = failed || !succeeded; });
  return failed;
}

Result<SyncReply> RegistryChannel::await(const std::function<bool(const std::string&)>& expected) {
  const auto deadline =
      std::min(time_.now() + std::chrono::milliseconds(opt_.request_timeout_ms), overall_deadline);
  std::vector<zmq::message_t> frames;
  // Replies heard and dropped while waiting: a registry that answers with
  // what cannot be used is not one that does not answer (the network).
  uint64_t dropped = 0;
  std::string last_drop;
  const auto drop = [&](const std::string& counter) {
    count_(counter, 1);
    ++dropped;
    last_drop = counter;
  };
  for (;;) {
    if (aborted_()) return make_error("sync.aborted", "registry sync stopped");
    const auto now = time_.now();
    if (now >= deadline) {
      const bool overall = deadline == overall_deadline;
      const std::string waited =
          overall ? "before this run's time limit" : "within " + std::to_string(opt_.request_timeout_ms) + " ms";
      if (dropped > 0)
        return make_error("sync.unusable_replies", "registry " + opt_.endpoint + " answered " + std::to_string(dropped) +
                                              " time(s) with replies that were dropped (last: " + last_drop +
                                              ") and sent no usable answer " + waited);
      return make_error("sync.timeout", "registry " + opt_.endpoint + " did not answer " + waited);
    }
    zmq::pollitem_t items[] = {{sock_->handle(), 0, ZMQ_POLLIN, 0},
                               {monitor_ ? monitor_->socket().handle() : nullptr, 0, ZMQ_POLLIN, 0}};
    const auto wait = std::min<TimeSource::duration>(kTick, time_.wait_slice(deadline));
    try {
      zmq::poll(items, monitor_ ? 2 : 1, std::chrono::duration_cast<std::chrono::milliseconds>(wait));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      return make_error("sync.socket", std::string("registry socket poll: ") + e.what());
    }
    if (monitor_ && (items[1].revents & ZMQ_POLLIN) && handshake_failed()) {
      count_("handshake_failures", 1);
      return make_error("sync.handshake", "security handshake with the registry " + opt_.endpoint +
                                              " failed (wrong or missing server key?)");
    }
    if (!(items[0].revents & ZMQ_POLLIN)) continue;
    while (true) {
      try {
        if (!receive_message(*sock_, frames)) break;
      } catch (const zmq::error_t& e) {
        return make_error("sync.socket", std::string("registry socket receive: ") + e.what());
      }
      count_("replies", 1);
      if (frames.size() > 2) {
        drop("dropped.bad_frames");
        continue;
      }
      auto m = decode_sync_message(frames[0].to_string_view());
      if (!m) {
        drop(drop_counter(m.error().code));
        log_.warning("registry sync: dropped a reply: %s", m.error().message);
        continue;
      }
      if ((m->type == "chunk") != (frames.size() == 2)) {
        drop("dropped.bad_frames");
        continue;
      }
      if (m->type == "sync" || m->type == "fetch") {
        drop("dropped.unexpected_reply");
        continue;
      }
      if (!expected(m->req)) {
        drop("dropped.stale_reply");
        continue;
      }
      SyncReply r{std::move(m.value()), {}};
      if (frames.size() == 2) r.data = std::move(frames[1]);
      return r;
    }
  }
}

}  // namespace mdtc::bridge
