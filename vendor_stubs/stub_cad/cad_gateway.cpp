#include "cad_gateway.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <ctime>
#include <random>
#include <sstream>
#include <zmq.hpp>

#include "mdtc/time_text.h"

namespace stub_cad {

using mdtc::rfc3339_utc_ms;
namespace {

using Poco::JSON::Object;
using Clock = std::chrono::steady_clock;

std::string to_json(const Object::Ptr& o) {
  std::ostringstream out;
  Poco::JSON::Stringifier::condense(o, out);
  return out.str();
}

Object::Ptr parse(const std::string& text) {
  try {
    Poco::JSON::Parser p;
    auto v = p.parse(text);
    if (v.type() == typeid(Object::Ptr)) return v.extract<Object::Ptr>();
  } catch (const Poco::Exception&) {
  } catch (const std::exception&) {
  }
  return {};
}

std::string str(const Object& o, const std::string& key) {
  if (!o.has(key)) return {};
  auto v = o.get(key);
  return v.isString() ? v.extract<std::string>() : std::string();
}

uint64_t uint_field(const Object& o, const std::string& key) {
  if (!o.has(key)) return 0;
  auto v = o.get(key);
  if (!v.isInteger()) return 0;
  try {
    return v.convert<uint64_t>();
  } catch (const Poco::Exception&) {
    return 0;
  }
}

}  // namespace

std::string random_epoch() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd();
  return out.str().substr(0, 12);
}

std::string now_rfc3339() {
  using namespace std::chrono;
  return rfc3339_utc_ms(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

CadGateway::CadGateway(GatewayOptions options) : opt_(std::move(options)) {
  if (opt_.epoch.empty()) opt_.epoch = random_epoch();
  for (const auto& cr : opt_.coresponders) router_rules_.set_on_duty(cr, true);
}

CadGateway::~CadGateway() { close(0); }

mdtc::Status CadGateway::bind() {
  try {
    ctx_ = std::make_unique<zmq::context_t>(1);
    pub_ = std::make_unique<zmq::socket_t>(*ctx_, zmq::socket_type::xpub);
    router_ = std::make_unique<zmq::socket_t>(*ctx_, zmq::socket_type::router);
    for (auto* s : {pub_.get(), router_.get()}) {
      s->set(zmq::sockopt::linger, 0);
      s->set(zmq::sockopt::sndhwm, 200000);
      if (!opt_.server_secret_key.empty()) {
        s->set(zmq::sockopt::curve_server, 1);
        s->set(zmq::sockopt::curve_secretkey, opt_.server_secret_key);
      }
    }
    // Verbose: a unit that reconnects re-subscribes, and a scenario waiting
    // for it must see that subscription even if the topic is already known.
    pub_->set(zmq::sockopt::xpub_verbose, 1);
    // A unit that restarts (or was killed) reconnects with the same routing
    // id while the gateway may still hold its old connection; handover gives
    // the id to the new connection, or replies would go to the dead one.
    router_->set(zmq::sockopt::router_handover, 1);
    pub_->bind(opt_.pub_endpoint);
    router_->bind(opt_.router_endpoint);
  } catch (const zmq::error_t& e) {
    return mdtc::make_error("stub_cad.bind", "stub-cad: cannot bind " + opt_.pub_endpoint + " / " +
                                                 opt_.router_endpoint + ": " + e.what());
  }
  if (!opt_.record_path.empty()) {
    record_.open(opt_.record_path, std::ios::out | std::ios::trunc);
    if (!record_) {
      return mdtc::make_error("stub_cad.record", "stub-cad: cannot write " + opt_.record_path);
    }
  }
  next_heartbeat_ = Clock::now();
  return mdtc::Ok{};
}

void CadGateway::close(int linger_ms) {
  for (auto* s : {pub_.get(), router_.get()}) {
    if (s) s->set(zmq::sockopt::linger, linger_ms);
  }
  pub_.reset();
  router_.reset();
  ctx_.reset();
  flush_record();
}

std::string CadGateway::pub_endpoint() const {
  return pub_ ? pub_->get(zmq::sockopt::last_endpoint) : opt_.pub_endpoint;
}

std::string CadGateway::router_endpoint() const {
  return router_ ? router_->get(zmq::sockopt::last_endpoint) : opt_.router_endpoint;
}

bool CadGateway::has_subscriber(const std::string& topic) const {
  auto it = subscriptions_.find(topic);
  return it != subscriptions_.end() && it->second > 0;
}

uint64_t CadGateway::seq(const std::string& topic) const {
  auto it = seqs_.find(topic);
  return it == seqs_.end() ? 0 : it->second;
}

void CadGateway::flush_record() {
  if (record_.is_open()) record_.flush();
}

void CadGateway::record(Object::Ptr event) {
  if (!record_.is_open()) return;
  record_ << to_json(event) << '\n';
  record_.flush();
}

Object::Ptr CadGateway::envelope(const std::string& type) {
  Object::Ptr o = new Object;
  o->set("v", 1);
  o->set("type", type);
  o->set("seq", 0);
  o->set("sent_at", now_rfc3339());
  o->set("epoch", opt_.epoch);
  return o;
}

uint64_t CadGateway::publish(const std::string& topic, Object::Ptr body, bool transmit) {
  if (!body->has("v")) body->set("v", 1);
  uint64_t seq;
  if (body->has("seq") && body->get("seq").isInteger()) {
    seq = uint_field(*body, "seq");
    seqs_[topic] = std::max(seqs_[topic], seq);
  } else {
    seq = ++seqs_[topic];
    body->set("seq", seq);
  }
  if (!body->has("sent_at")) body->set("sent_at", now_rfc3339());
  if (!body->has("epoch")) body->set("epoch", opt_.epoch);
  std::string text = to_json(body);
  auto& log = log_[topic];
  log.emplace_back(seq, text);
  if (log.size() > opt_.log_per_topic) log.pop_front();
  if (pub_ && transmit) {
    pub_->send(zmq::buffer(topic), zmq::send_flags::sndmore);
    pub_->send(zmq::buffer(text), zmq::send_flags::none);
  }
  Object::Ptr ev = new Object;
  ev->set("dir", "out");
  ev->set("topic", topic);
  ev->set("body", body);
  record(ev);
  return seq;
}

void CadGateway::publish_raw(const std::string& topic, const std::string& text) {
  if (pub_) {
    pub_->send(zmq::buffer(topic), zmq::send_flags::sndmore);
    pub_->send(zmq::buffer(text), zmq::send_flags::none);
  }
  Object::Ptr ev = new Object;
  ev->set("dir", "out");
  ev->set("topic", topic);
  ev->set("raw", text);
  record(ev);
}

void CadGateway::heartbeat() {
  auto hb = envelope("heartbeat");
  Object::Ptr topics = new Object;
  for (const auto& [t, s] : seqs_) topics->set(t, s);
  hb->set("topics", topics);
  std::string text = to_json(hb);
  pub_->send(zmq::buffer(std::string("all")), zmq::send_flags::sndmore);
  pub_->send(zmq::buffer(text), zmq::send_flags::none);
}

void CadGateway::poll(int timeout_ms) {
  if (!pub_) return;
  auto now = Clock::now();
  if (opt_.heartbeat_ms > 0) {
    if (now >= next_heartbeat_) {
      heartbeat();
      next_heartbeat_ = now + std::chrono::milliseconds(opt_.heartbeat_ms);
    }
    auto until = std::chrono::duration_cast<std::chrono::milliseconds>(next_heartbeat_ - now).count();
    if (until < timeout_ms) timeout_ms = static_cast<int>(std::max<int64_t>(until, 0));
  }
  zmq::pollitem_t items[] = {{pub_->handle(), 0, ZMQ_POLLIN, 0},
                             {router_->handle(), 0, ZMQ_POLLIN, 0}};
  try {
    zmq::poll(items, 2, std::chrono::milliseconds(timeout_ms));
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return;
    throw;
  }
  if (items[0].revents & ZMQ_POLLIN) on_xpub();
  if (items[1].revents & ZMQ_POLLIN) on_router();
}

void CadGateway::on_xpub() {
  zmq::message_t msg;
  while (pub_->recv(msg, zmq::recv_flags::dontwait)) {
    if (msg.size() == 0) continue;
    const char* data = static_cast<const char*>(msg.data());
    std::string topic(data + 1, msg.size() - 1);
    if (data[0] == 1) ++subscriptions_[topic];
    else if (data[0] == 0 && subscriptions_[topic] > 0) --subscriptions_[topic];
  }
}

void CadGateway::on_router() {
  while (true) {
    std::vector<zmq::message_t> frames;
    zmq::message_t part;
    if (!router_->recv(part, zmq::recv_flags::dontwait)) return;
    frames.push_back(std::move(part));
    while (frames.back().more()) {
      zmq::message_t next;
      if (!router_->recv(next)) break;
      frames.push_back(std::move(next));
    }
    if (frames.size() < 2) continue;
    handle(frames[0].to_string(), frames.back().to_string());
  }
}

void CadGateway::send_to(const std::string& unit, const std::string& topic, const std::string& body) {
  router_->send(zmq::buffer(unit), zmq::send_flags::sndmore);
  router_->send(zmq::buffer(topic), zmq::send_flags::sndmore);
  router_->send(zmq::buffer(body), zmq::send_flags::none);
}

void CadGateway::handle(const std::string& from, const std::string& text) {
  Object::Ptr body = parse(text);
  Object::Ptr ev = new Object;
  ev->set("dir", "in");
  ev->set("from", from);
  if (body) ev->set("body", body);
  else ev->set("raw", text);
  record(ev);
  if (!body) return;
  std::string type = str(*body, "type");

  std::string key = str(*body, "key");
  if (!key.empty()) {
    if (acks_) {
      auto ack = envelope("ack");
      ack->set("key", key);
      send_to(from, "", to_json(ack));
    }
    if (!seen_keys_.insert(key).second) {
      ++duplicate_keys_;  // a retry whose ack was lost: acked again, acted on once
      return;
    }
  }
  inbound_.push_back({from, type, body});

  if (type == "hello") {
    hellos_.insert(from);
    // A doctor's visit is no unit coming on duty.
    const bool diagnostic = body->has("diagnostic") && body->get("diagnostic").isBoolean() &&
                            body->get("diagnostic").convert<bool>();
    if (str(*body, "role") == "coresponder" && !diagnostic) router_rules_.set_on_duty(from, true);
    auto reply = envelope("hello_ack");
    Object::Ptr topics = new Object;
    for (const auto& [t, s] : seqs_) topics->set(t, s);
    reply->set("topics", topics);
    send_to(from, "", to_json(reply));
  } else if (type == "catchup") {
    if (!catchup_answers_) return;
    std::string topic = str(*body, "topic");
    uint64_t from_seq = uint_field(*body, "from_seq"), to_seq = uint_field(*body, "to_seq");
    // Replays only to the unit the topic belongs to (or the shared topic).
    bool allowed = topic == "all" || topic == "unit." + from;
    if (allowed && str(*body, "epoch") == opt_.epoch) {
      for (const auto& [s, t] : log_[topic]) {
        if (s >= from_seq && s <= to_seq) send_to(from, topic, t);
      }
    }
    auto done = envelope("catchup_done");
    done->set("topic", topic);
    done->set("from_seq", from_seq);
    done->set("to_seq", to_seq);
    send_to(from, "", to_json(done));
  } else if (type == "avl") {
    // Reports resent after a reconnect come late and out of order: the
    // newest fix stands (docs/protocol.md), not the last to arrive.
    std::string at = str(*body, "fix_at");
    if (at.empty()) at = str(*body, "sent_at");
    std::string& newest = newest_fix_at_[from];
    if (!at.empty() && at < newest) return;
    newest = at;
    // Like a CAD AVL feed: clinician units' positions go to every car, so
    // an officer's request panel can say how far each one is.
    if (body->has("lat") && body->has("lon") && body->get("lat").isNumeric() && body->get("lon").isNumeric())
      router_rules_.set_position(from, body->get("lat").convert<double>(), body->get("lon").convert<double>());
    if (router_rules_.on_duty(from) && body->has("lat") && body->has("lon")) {
      Object::Ptr loc = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
      loc->set("type", "unit_location");
      loc->set("unit", from);
      loc->set("lat", body->get("lat"));
      loc->set("lon", body->get("lon"));
      publish("all", loc);
    }
  } else if (type == "coresponder_state") {
    // Relayed to every car like a position: the officers' request panels
    // list live states. The sender is the unit, whatever the body says.
    router_rules_.on_state(from, *body);
    Object::Ptr state = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    state->set("type", "coresponder_state");
    state->set("unit", from);
    for (const char* k : {"state", "free_at", "name", "changed_at"})
      if (body->has(k)) state->set(k, body->get(k));
    publish("all", state);
  } else {
    std::vector<Outgoing> out;
    if (type == "coresponder_request") out = router_rules_.on_request(from, *body);
    else if (type == "coresponder_response") out = router_rules_.on_response(from, *body);
    else if (type == "coresponder_status") out = router_rules_.on_status(from, *body);
    for (auto& o : out) {
      o.body->set("type", o.type);
      publish(o.topic, o.body);
    }
  }
}

void CadGateway::dispatch_request(const std::string& for_unit, Poco::JSON::Object::Ptr body) {
  for (auto& o : router_rules_.on_dispatch_request(for_unit, *body)) {
    o.body->set("type", o.type);
    publish(o.topic, o.body);
  }
}

}  // namespace stub_cad
