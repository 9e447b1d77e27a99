// Link: the thread that owns the SUB and DEALER sockets. Everything that
// touches a socket, the sequence tracker or the retry schedule runs on it;
// other threads only reach it through send() (outbox + wake-up signal) and
// counters() (a mutex-guarded snapshot).
#include <Poco/Logger.h>
#include <Poco/UUIDGenerator.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <zmq.hpp>

#include "client_socket.h"
#include "envelope.h"
#include "liveness_monitor.h"
#include "json_access.h"
#include "mdtc/bridge.h"
#include "mdtc/repeat_limiter.h"
#include "outbox.h"
#include "position_saver.h"
#include "send_schedule.h"
#include "sequence_tracker.h"
#include "wake_signal.h"

namespace mdtc::bridge {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kTick = 50ms;                 // liveness, retry and catch-up timers
constexpr std::chrono::steady_clock::duration kFirstRedial = 1s;
constexpr std::chrono::steady_clock::duration kMaxRedial = 30s;
// How often a file that refused a write is tried again: space may return.
constexpr std::chrono::steady_clock::duration kStorageRetry = 10s;

}  // namespace

struct Link::Impl {
  LinkOptions opt;
  MessageHandler on_message;
  StatusHandler on_status;
  std::string unit_topic;
  std::string run_id;

  std::shared_ptr<const TimeSource> time;  // set by start()
  std::unique_ptr<Outbox> outbox;
  std::unique_ptr<PositionSaver> positions;  // null without an outbox file, or not open yet
  std::vector<SequenceTracker::Position> saved_positions;
  std::unique_ptr<zmq::context_t> ctx;
  std::unique_ptr<zmq::socket_t> sub, dealer;
  std::unique_ptr<HandshakeMonitor> monitor, sub_monitor;  // of dealer and sub
  // Made at the first start and kept until the link is destroyed: send()
  // may still be called from another thread while stop() runs.
  std::optional<WakeSignal> wake;
  std::thread thread;
  std::atomic<bool> stopping{false};
  bool started = false;

  // Shared with send()/counters().
  mutable std::mutex mu;
  Counters counters;
  std::vector<OutboxEntry> fresh;  // enqueued by send(), not yet scheduled
  std::atomic<uint64_t> key_counter{0};

  // Link thread only.
  std::unique_ptr<SequenceTracker> tracker;
  SendSchedule schedule;
  struct Redial {
    Clock::duration backoff = kFirstRedial;
    Clock::time_point due{};  // zero: none scheduled
  };
  Redial sub_redial, dealer_redial;
  uint64_t handshakes = 0;  // successful DEALER handshakes
  std::unique_ptr<LivenessMonitor> liveness;
  uint64_t epochs_seen = 0;
  Poco::Logger& log = Poco::Logger::get("mdtc.bridge");

  // A full or read-only disk: the outbox keeps messages in memory and the
  // positions wait; both are tried again every kStorageRetry, and the fault
  // is logged once a minute however often it repeats.
  std::optional<Error> positions_fault;  // guarded by mu
  Clock::time_point storage_retry_due{};
  RepeatLimiter storage_log;
  // Seqs that could not have been published yet, and positions the
  // gateway's head contradicted: a broken gateway repeats them on every
  // message or heartbeat, so they are logged once a minute.
  RepeatLimiter seq_range_log, head_reset_log;
  std::deque<std::string> told_unread;  // the last incidents on_unread_dispatch was told of

  void storage_failed(const Error& e, Clock::time_point now) {
    bump("storage.faults");
    if (auto n = storage_log.occur(now))
      log.error("CAD link storage: %s (%s time(s) since the last line; messages are sent but "
                "not kept across a restart until it clears)", e.message, std::to_string(*n));
    if (storage_retry_due == Clock::time_point{}) storage_retry_due = now + kStorageRetry;
  }

  void retry_storage(Clock::time_point now) {
    if (storage_retry_due == Clock::time_point{} || now < storage_retry_due) return;
    storage_retry_due = {};
    bool healthy = true;
    if (auto r = outbox->retry(); !r) {
      healthy = false;
      storage_failed(r.error(), now);
    }
    if (!positions && !opt.outbox_path.empty()) {
      if (auto store = PositionStore::open(opt.outbox_path); store) {
        positions = std::make_unique<PositionSaver>(std::move(store.value()));
      } else {
        healthy = false;
        set_positions_fault(store.error());
        storage_failed(store.error(), now);
      }
    }
    if (positions) {
      saved_positions.clear();  // the next save proves the file takes writes
      save_positions(now);
      // Whether storage is healthy again rests on this save: wait for it
      // (only here, once per retry while storage is faulty).
      positions->flush();
      collect_saved(now);
    }
    {
      std::lock_guard lock(mu);
      healthy = healthy && !positions_fault;
    }
    if (healthy && storage_retry_due == Clock::time_point{}) {
      storage_log.clear();
      log.notice("CAD link storage writable again");
    }
  }

  void set_positions_fault(std::optional<Error> e) {
    std::lock_guard lock(mu);
    positions_fault = std::move(e);
  }

  void bump(const std::string& name, uint64_t by = 1) {
    std::lock_guard lock(mu);
    counters[name] += by;
  }

  void publish_tracker_counts() {
    std::lock_guard lock(mu);
    for (const auto& [k, v] : tracker->counts()) counters[k] = v;
  }

  ClientSocketOptions socket_options(zmq::socket_type type, std::string routing_id = {}) const {
    ClientSocketOptions o;
    o.type = type;
    o.routing_id = std::move(routing_id);
    // A hard memory guard only: it sits well above max_message_bytes, which
    // is enforced per message (counted as dropped.too_large) in decode().
    o.max_frame_bytes = std::max<int64_t>(256 << 10, static_cast<int64_t>(opt.max_message_bytes) * 4);
    o.curve = {opt.server_public_key, opt.client_public_key, opt.client_secret_key};
    return o;
  }

  Status open_sockets() {
    try {
      ctx = std::make_unique<zmq::context_t>(1);
      sub = make_client_socket(*ctx, socket_options(zmq::socket_type::sub));
      // Bounds what a flooding peer can make us queue (HWM x frame limit);
      // a burst beyond it waits in the gateway's send queue instead.
      sub->set(zmq::sockopt::rcvhwm, 10000);
      sub->set(zmq::sockopt::subscribe, unit_topic);
      sub->set(zmq::sockopt::subscribe, "all");
      sub->connect(opt.subscribe_endpoint);

      dealer = make_client_socket(*ctx, socket_options(zmq::socket_type::dealer,
                                                       opt.routing_id.empty() ? opt.unit_id : opt.routing_id));
      dealer->set(zmq::sockopt::sndhwm, 10000);
      auto mon = HandshakeMonitor::watch(*ctx, *dealer, "bridge.socket", "the CAD link sockets");
      if (!mon) return mon.error();
      monitor = std::move(mon.value());
      auto sub_mon = HandshakeMonitor::watch(*ctx, *sub, "bridge.socket", "the CAD link sockets");
      if (!sub_mon) return sub_mon.error();
      sub_monitor = std::move(sub_mon.value());
      dealer->connect(opt.dealer_endpoint);
    } catch (const zmq::error_t& e) {
      return make_error("bridge.socket", "CAD link sockets (" + opt.subscribe_endpoint + ", " +
                                             opt.dealer_endpoint + "): " + e.what());
    }
    return Ok{};
  }

  void close_sockets() {
    monitor.reset();
    sub_monitor.reset();
    sub.reset();
    dealer.reset();
    ctx.reset();
  }

  void send_control(const std::string& body) {
    try {
      dealer->send(zmq::buffer(body), zmq::send_flags::dontwait);
    } catch (const zmq::error_t& e) {
      log.warning("CAD link: control message not sent: %s", std::string(e.what()));
    }
  }

  void send_hello() {
    EnvelopeFields f{"hello", 0, rfc3339_now(), opt.unit_id, ""};
    auto body = build_envelope(opt.hello_json, f);
    if (!body) return;  // validated in start()
    send_control(body.value());
    bump("hellos");
  }

  void send_ask(const CatchupAsk& a) {
    EnvelopeFields f{"catchup", 0, rfc3339_now(), opt.unit_id, ""};
    auto body = build_envelope(encode_body(Catchup{a.topic, a.epoch, a.from_seq, a.to_seq}), f);
    if (body) send_control(body.value());
    log.information("CAD link: asking %s %s..%s", a.topic, std::to_string(a.from_seq),
                    std::to_string(a.to_seq));
  }

  // Handlers are the plugin's code; an exception from one must not end the
  // link thread (and with it every future dispatch).
  void report(const LinkStatus& s) {
    if (!on_status) return;
    try {
      on_status(s);
    } catch (...) {
      bump("handler_errors");
    }
  }

  void heard(Clock::time_point now) {
    if (auto s = liveness->heard(now)) report(*s);
  }

  void check_liveness(Clock::time_point now) {
    if (auto s = liveness->check(now)) report(*s);
  }

  void run_output(TrackerOutput& out) {
    for (auto& m : out.deliver) {
      bump("delivered");
      try {
        if (on_message) on_message(std::move(m));
      } catch (...) {
        bump("handler_errors");
      }
    }
    for (const auto& a : out.asks) send_ask(a);
    out = {};
    save_positions(time->now());
    publish_tracker_counts();
    uint64_t epochs = tracker->counts().count("epochs") ? tracker->counts().at("epochs") : 0;
    if (epochs != epochs_seen) {
      // The gateway restarted: introduce ourselves to the new run.
      epochs_seen = epochs;
      send_hello();
    }
  }

  // After the handler has the messages, record how far each topic got. The
  // saver writes them on its own thread: the link thread never waits for
  // the disk before the next message.
  void save_positions(Clock::time_point now) {
    if (!positions) return;
    collect_saved(now);
    auto now_pos = tracker->positions();
    if (now_pos == saved_positions) return;
    // A refused save waits for the storage retry, not the next 50 ms tick.
    if (storage_retry_due != Clock::time_point{} && now < storage_retry_due) return;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    std::vector<TopicPosition> rows;
    for (const auto& p : now_pos) rows.push_back({p.topic, p.epoch, p.last, ms, p.ahead});
    positions->offer(std::move(rows));
    saved_positions = std::move(now_pos);
  }

  // The saver's answer for the writes finished since the last look.
  void collect_saved(Clock::time_point now) {
    const auto outcome = positions->take_outcome();
    if (!outcome) return;
    if (!*outcome) {
      bump("positions.save_failed");
      set_positions_fault(outcome->error());
      storage_failed(outcome->error(), now);
      saved_positions.clear();  // not on disk: offered again at the storage retry
      return;
    }
    set_positions_fault(std::nullopt);
  }

  void resume_positions() {
    if (!positions) return;
    auto rows = positions->load();
    if (!rows) {
      log.error("%s", rows.error().message);
      return;
    }
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    for (const auto& p : rows.value()) {
      if (now_ms - p.saved_at_ms > int64_t{opt.resume_window_s} * 1000 || p.saved_at_ms > now_ms) {
        bump("positions.stale");
        continue;
      }
      tracker->resume(p.topic, p.epoch, p.last_seq, p.ahead);
      bump("positions.resumed");
    }
    saved_positions = tracker->positions();
  }

  uint64_t tracker_count(const std::string& name) const {
    auto it = tracker->counts().find(name);
    return it == tracker->counts().end() ? 0 : it->second;
  }

  void log_out_of_range(const std::string& what, const std::string& topic, const std::string& epoch,
                        uint64_t seq, Clock::time_point now) {
    if (auto n = seq_range_log.occur(now))
      log.warning("CAD link: dropped %s on %s with seq %s (epoch %s): far beyond what the gateway "
                  "has published (%s time(s) since the last line)",
                  what, topic, std::to_string(seq), epoch, std::to_string(*n));
  }

  // Heads ("topics":{topic:seq}) from a hello_ack or heartbeat.
  void apply_heads(const TopicHeads& heads, const std::string& epoch, Clock::time_point now,
                   TrackerOutput& out, SequenceTracker::HeadFrom from) {
    for (const auto& name : {unit_topic, std::string("all")}) {
      uint64_t head = 0;
      if (auto it = heads.find(name); it != heads.end()) {
        if (!it->second) continue;
        head = *it->second;
      }
      const uint64_t dropped = tracker_count("dropped.seq_out_of_range");
      const uint64_t resets = tracker_count("positions.reset_by_head");
      const uint64_t had = tracker->last_seq(name);
      tracker->on_head(name, epoch, head, now, out, from);
      if (tracker_count("dropped.seq_out_of_range") != dropped) log_out_of_range("head", name, epoch, head, now);
      if (tracker_count("positions.reset_by_head") != resets)
        if (auto n = head_reset_log.occur(now))
          log.warning("CAD link: gateway head %s on %s is below the unit's position %s in the same "
                      "epoch %s: taking the gateway's head (%s time(s) since the last line)",
                      std::to_string(head), name, std::to_string(had), epoch, std::to_string(*n));
    }
  }

  // Every sequenced message (or placeholder) reaches the tracker here, so
  // that a seq it refuses is logged once wherever it came from.
  void offer(Message m, Clock::time_point now, TrackerOutput& out) {
    const uint64_t dropped = tracker_count("dropped.seq_out_of_range");
    const std::string topic = m.topic, epoch = m.epoch;
    const uint64_t seq = m.seq;
    tracker->on_message(std::move(m), now, out);
    if (tracker_count("dropped.seq_out_of_range") != dropped) log_out_of_range("message", topic, epoch, seq, now);
  }

  // Counts and logs a message that failed to decode. If its envelope still
  // names a seq (a wrong field deeper in), that seq is marked used so the
  // link does not ask for it again and again.
  void drop_unusable(const std::string& topic, std::string_view body, const Error& err,
                     Clock::time_point now, TrackerOutput& out) {
    bump(drop_counter(err.code));
    log.warning("CAD link: dropped message on %s: %s", topic, err.message);
    if (err.code == "wire.too_large") return;
    auto obj = json::parse_object(body);
    if (!obj) return;
    tell_unread_dispatch(*obj.value(), err);
    const auto* seq_v = json::find(*obj.value(), "seq");
    const auto* epoch_v = json::find(*obj.value(), "epoch");
    if (!seq_v) return;
    uint64_t seq = json::as_uint(*seq_v).value_or(0);
    std::string epoch;
    if (epoch_v) {
      auto e = json::as_string(*epoch_v);
      if (!e) return;
      epoch = std::move(*e);
    }
    if (seq == 0) return;
    const uint64_t dropped = tracker_count("dropped.seq_out_of_range");
    tracker->on_unusable(topic, epoch, seq, now, out);
    if (tracker_count("dropped.seq_out_of_range") != dropped) log_out_of_range("message", topic, epoch, seq, now);
  }

  // A dispatch whose incident id can still be read: the unit is sent to a
  // call whose flags were never looked up, and the officer is told so.
  void tell_unread_dispatch(const Poco::JSON::Object& body, const Error& err) {
    if (!opt.on_unread_dispatch) return;
    const auto* type = json::find(body, "type");
    if (!type || json::as_string(*type) != "dispatch") return;
    // The native incident's "id", or an EIDO's top-level "$id".
    const auto* incident = json::find(body, "incident");
    const auto* eido = incident ? nullptr : json::find(body, "eido", /*fold_case=*/true);
    const auto obj = incident ? json::as_object(*incident) : eido ? json::as_object(*eido) : nullptr;
    const auto* id_v = obj ? json::find(*obj, incident ? "id" : "$id") : nullptr;
    const std::string id = id_v ? json::as_string(*id_v).value_or("") : "";
    if (id.empty() || id.size() > 128) return;
    if (std::find(told_unread.begin(), told_unread.end(), id) != told_unread.end()) return;  // a replay
    if (told_unread.size() == 64) told_unread.pop_front();
    told_unread.push_back(id);
    opt.on_unread_dispatch(id, err.message);
  }

  void handle_sequenced(Message m, Clock::time_point now, TrackerOutput& out) {
    if (const auto* beat = m.as<Heartbeat>()) {
      bump("heartbeats");
      apply_heads(beat->topics, m.epoch, now, out, SequenceTracker::HeadFrom::heartbeat);
      return;
    }
    if (m.type() == MessageType::wipe && opt.server_public_key.empty()) {
      // A wipe erases the unit's cache; without CURVE anyone on the network
      // could send one, so it is honoured only on an authenticated link.
      bump("dropped.unauthenticated_wipe");
      log.warning("CAD link: wipe ignored: link is not CURVE-authenticated");
      tracker->on_unusable(m.topic, m.epoch, m.seq, now, out);
      return;
    }
    offer(std::move(m), now, out);
  }

  void on_sub(Clock::time_point now, TrackerOutput& out) {
    std::vector<zmq::message_t> frames;
    while (receive_message(*sub, frames)) {
      heard(now);
      bump("received");
      if (frames.size() != 2) {
        bump("dropped.bad_frames");
        continue;
      }
      std::string topic = frames[0].to_string();
      if (!tracker->tracks(topic)) {
        // ZeroMQ subscriptions are prefixes: "unit.2A3" would also match
        // "unit.2A31". Only our exact topics count.
        bump("dropped.foreign_topic");
        continue;
      }
      auto m = decode(topic, frames[1].to_string_view(), opt.max_message_bytes);
      if (!m) {
        drop_unusable(topic, frames[1].to_string_view(), m.error(), now, out);
        continue;
      }
      handle_sequenced(std::move(m.value()), now, out);
      if (out.deliver.size() > 256) run_output(out);
    }
  }

  void on_dealer(Clock::time_point now, TrackerOutput& out) {
    std::vector<zmq::message_t> frames;
    while (receive_message(*dealer, frames)) {
      heard(now);
      if (frames.size() != 2) {
        bump("dropped.bad_frames");
        continue;
      }
      std::string topic = frames[0].to_string();
      auto m = decode(topic, frames[1].to_string_view(), opt.max_message_bytes);
      if (!m) {
        if (tracker->tracks(topic)) drop_unusable(topic, frames[1].to_string_view(), m.error(), now, out);
        else bump(drop_counter(m.error().code));
        continue;
      }
      if (!topic.empty()) {  // a catch-up replay
        if (!tracker->tracks(topic)) {
          bump("dropped.foreign_topic");
          continue;
        }
        bump("replayed");
        handle_sequenced(std::move(m.value()), now, out);
        continue;
      }
      handle_control(m.value(), now, out);
    }
  }

  void handle_control(const Message& m, Clock::time_point now, TrackerOutput& out) {
    if (const auto* ack = m.as<Ack>()) {
      if (ack->key.empty()) return;
      if (schedule.ack(ack->key)) bump("acked");
      if (auto r = outbox->remove(ack->key); !r) storage_failed(r.error(), now);
    } else if (const auto* hello = m.as<HelloAck>()) {
      apply_heads(hello->topics, m.epoch, now, out, SequenceTracker::HeadFrom::hello_ack);
    } else if (const auto* done = m.as<CatchupDone>()) {
      if (!done->topic.empty() && done->to_seq)
        tracker->on_catchup_done(done->topic, m.epoch, *done->to_seq, now, out);
    } else {
      bump("dropped.unexpected_reply");
    }
  }

  // Reads one socket's monitor events. Returns true when a handshake
  // succeeded. A failed handshake (a peer without the pinned server key, or
  // without CURVE at all) is counted; libzmq gives up on a peer whose
  // security mechanism does not match, so the socket is re-dialled after a
  // backoff, or a gateway restarted correctly behind it would never be
  // reached again.
  bool drain_monitor(HandshakeMonitor& mon, const std::string& endpoint, Redial& redial,
                     Clock::time_point now) {
    bool succeeded = false;
    mon.drain([&](bool ok) {
      if (ok) {
        succeeded = true;
        redial.backoff = kFirstRedial;
        redial.due = {};
        return;
      }
      bump("handshake_failures");
      log.warning("CAD link: security handshake with %s failed (wrong or missing server key?)",
                  endpoint);
      if (redial.due == Clock::time_point{}) {
        redial.due = now + redial.backoff;
        redial.backoff = std::min<Clock::duration>(redial.backoff * 2, kMaxRedial);
      }
    });
    return succeeded;
  }

  void redial_if_due(zmq::socket_t& sock, const std::string& endpoint, Redial& redial,
                     Clock::time_point now) {
    if (redial.due == Clock::time_point{} || now < redial.due) return;
    redial.due = {};
    try {
      sock.disconnect(endpoint);
    } catch (const zmq::error_t&) {
    }
    sock.connect(endpoint);
  }

  void on_monitors(Clock::time_point now) {
    drain_monitor(*sub_monitor, opt.subscribe_endpoint, sub_redial, now);
    if (drain_monitor(*monitor, opt.dealer_endpoint, dealer_redial, now)) {
      // Each successful handshake is a (re)connection to a gateway, which
      // may be a new run: say hello. On a reconnect, what was sent into the
      // old connection may be lost with it, so everything not yet acked goes
      // again now rather than after its backoff. (On the first connection
      // the queued messages simply flow.)
      send_hello();
      if (++handshakes > 1) schedule.expedite(now);
    }
    redial_if_due(*sub, opt.subscribe_endpoint, sub_redial, now);
    redial_if_due(*dealer, opt.dealer_endpoint, dealer_redial, now);
  }

  void take_fresh() {
    std::vector<OutboxEntry> batch;
    {
      std::lock_guard lock(mu);
      batch.swap(fresh);
    }
    for (auto& e : batch) schedule.add(std::move(e.key), std::move(e.body));
  }

  void pump_outbox(Clock::time_point now) {
    auto sent = schedule.pump(now, [this](const std::string& body) {
      try {
        return dealer->send(zmq::buffer(body), zmq::send_flags::dontwait).has_value();
      } catch (const zmq::error_t&) {
        return false;
      }
    });
    if (sent.first) bump("sent", static_cast<uint64_t>(sent.first));
    if (sent.retries) bump("retries", static_cast<uint64_t>(sent.retries));
  }

  void run() {
    TrackerOutput out;
    liveness = std::make_unique<LivenessMonitor>(std::chrono::seconds(opt.heartbeat_timeout_s),
                                                 time->now());
    while (!stopping.load()) {
      zmq::pollitem_t items[] = {
          {sub->handle(), 0, ZMQ_POLLIN, 0},
          {dealer->handle(), 0, ZMQ_POLLIN, 0},
          {monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
          {nullptr, wake->pollable(), ZMQ_POLLIN, 0},
          {sub_monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
      };
      try {
        zmq::poll(items, 5,
                  std::chrono::duration_cast<std::chrono::milliseconds>(time->wait_slice(time->now() + kTick)));
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        log.error("CAD link poll failed: %s", std::string(e.what()));
        break;
      }
      auto now = time->now();
      if (items[3].revents & ZMQ_POLLIN) wake->drain();
      try {
        on_monitors(now);
        if (items[0].revents & ZMQ_POLLIN) on_sub(now, out);
        if (items[1].revents & ZMQ_POLLIN) on_dealer(now, out);
        tracker->on_tick(now, out);
        run_output(out);
        take_fresh();
        pump_outbox(now);
        retry_storage(now);
        check_liveness(now);
      } catch (const zmq::error_t& e) {
        log.error("CAD link socket error: %s", std::string(e.what()));
      }
    }
  }
};

Link::Link(LinkOptions options, MessageHandler on_message, StatusHandler on_status)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(options);
  impl_->on_message = std::move(on_message);
  impl_->on_status = std::move(on_status);
  for (const char* name :
       {"received", "delivered", "duplicates", "gaps", "catchups", "epochs", "heartbeats", "sent",
        "acked", "retries", "outbox.not_kept", "storage.faults", "dropped.bad_json", "dropped.bad_version", "dropped.missing_field",
        "dropped.bad_type", "dropped.bad_value", "dropped.too_large", "dropped.unknown_type",
        "dropped.bad_eido", "lost", "dropped.superseded", "dropped.closed_incident",
        "dropped.seq_out_of_range", "positions.reset_by_head", "catchups.truncated"}) {
    impl_->counters[name] = 0;
  }
}

Link::~Link() { stop(); }

Status Link::start() {
  auto& d = *impl_;
  if (d.started) return Ok{};
  if (!valid_routing_id(d.opt.unit_id)) {
    return make_error("bridge.config", "unit_id = \"" + d.opt.unit_id +
                                           "\": expected 1-64 letters, digits, '-' or '_'");
  }
  if (!d.opt.routing_id.empty() && !valid_routing_id(d.opt.routing_id)) {
    return make_error("bridge.config", "routing_id = \"" + d.opt.routing_id +
                                           "\": expected 1-64 letters, digits, '-' or '_'");
  }
  if (!CurveClientKeys{d.opt.server_public_key, d.opt.client_public_key, d.opt.client_secret_key}.complete()) {
    return make_error("bridge.config",
                      "CURVE keys: expected 40-character Z85 server public, client public and "
                      "client secret keys");
  }
  if (d.opt.heartbeat_timeout_s <= 0) {
    return make_error("bridge.config", "heartbeat_timeout_s = " +
                                           std::to_string(d.opt.heartbeat_timeout_s) +
                                           ": expected a positive number of seconds");
  }
  if (auto hello = json::parse_object(d.opt.hello_json); !hello) {
    return make_error("bridge.config", "hello_json: " + hello.error().message);
  }
  d.time = d.opt.time ? d.opt.time : steady_time();
  // A full or read-only disk must not keep the unit off CAD: the outbox
  // then queues in memory and the link thread keeps trying the file.
  d.storage_retry_due = {};
  d.storage_log.clear();
  if (auto box = Outbox::open(d.opt.outbox_path); box) {
    d.outbox = std::move(box.value());
  } else if (is_storage_fault(box.error())) {
    d.outbox = Outbox::until_writable(d.opt.outbox_path, box.error());
    d.storage_failed(box.error(), d.time->now());
  } else {
    return box.error();
  }
  d.outbox->seal_with({d.opt.seal_body, d.opt.open_body});
  auto pending = d.outbox->pending();
  if (!pending) return pending.error();
  d.schedule.clear();  // a restarted link rebuilds its schedule from the outbox
  d.handshakes = 0;
  for (auto& e : pending.value()) d.schedule.add(std::move(e.key), std::move(e.body));
  d.run_id = Poco::UUIDGenerator::defaultGenerator().createRandom().toString();
  d.unit_topic = "unit." + d.opt.unit_id;
  d.tracker = std::make_unique<SequenceTracker>(std::vector<std::string>{d.unit_topic, "all"});
  d.positions.reset();
  d.set_positions_fault(std::nullopt);
  if (!d.opt.outbox_path.empty()) {
    if (auto store = PositionStore::open(d.opt.outbox_path); store) {
      d.positions = std::make_unique<PositionSaver>(std::move(store.value()));
      d.resume_positions();
    } else {
      // Without its place the unit starts afresh on each topic: news still arrives.
      d.set_positions_fault(store.error());
      d.storage_failed(store.error(), d.time->now());
    }
  }
  if (!d.wake) {
    auto wake = WakeSignal::create();
    if (!wake) return wake.error();
    d.wake.emplace(std::move(*wake));
  }
  if (auto r = d.open_sockets(); !r) {
    d.close_sockets();
    return r;
  }
  d.stopping = false;
  d.started = true;
  d.thread = std::thread([&d] {
    d.run();
    d.close_sockets();
  });
  return Ok{};
}

void Link::stop() {
  auto& d = *impl_;
  if (!d.started) return;
  d.stopping = true;
  d.wake->notify();
  if (d.thread.joinable()) d.thread.join();
  // The last positions reach the disk before stop returns: a restart resumes there.
  if (d.positions) d.positions->flush();
  d.started = false;
}

Result<Queued> Link::send(const std::string& type, const std::string& json_object) {
  auto& d = *impl_;
  if (!d.outbox) return make_error("bridge.not_started", "send(" + type + "): link not started");
  if (type.empty() || type.size() > 64) {
    return make_error("bridge.bad_type", "send: type \"" + type + "\": expected 1-64 characters");
  }
  std::string key = d.opt.unit_id + "-" + d.run_id + "-" + std::to_string(++d.key_counter);
  auto entry = d.outbox->enqueue([&](uint64_t seq) -> Result<OutboxEntry> {
    EnvelopeFields f{type, seq, rfc3339_now(), d.opt.unit_id, key};
    auto body = build_envelope(json_object, f);
    if (!body) return body.error();
    if (body->size() > d.opt.max_message_bytes) {
      return make_error("wire.too_large", "send(" + type + "): " + std::to_string(body->size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(d.opt.max_message_bytes));
    }
    return OutboxEntry{key, std::move(body.value())};
  });
  if (!entry) return entry.error();
  const Queued queued{entry->kept};
  {
    std::lock_guard lock(d.mu);
    if (!queued.kept) ++d.counters["outbox.not_kept"];
    d.fresh.push_back(std::move(entry.value()));
  }
  if (d.wake) d.wake->notify();
  return queued;
}

Result<Queued> Link::send(const Outbound& message) {
  return send(std::string(to_string(type_of(message))), encode_body(message));
}

std::optional<std::string> Link::storage_fault() const {
  auto& d = *impl_;
  if (d.outbox)
    if (auto f = d.outbox->fault()) return f->code + ": " + f->message;
  std::lock_guard lock(d.mu);
  if (d.positions_fault) return d.positions_fault->code + ": " + d.positions_fault->message;
  return std::nullopt;
}

Counters Link::counters() const {
  std::lock_guard lock(impl_->mu);
  return impl_->counters;
}

}  // namespace mdtc::bridge
