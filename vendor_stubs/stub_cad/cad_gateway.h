// The CAD gateway stand-in: an XPUB that publishes dispatches with per-topic
// seq, a catch-up log and heartbeats, and a ROUTER that acks and dedupes
// what units send, answers hello and catch-up asks, and routes co-responder
// requests. Single-threaded: the owner calls poll() in a loop.
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "coresponder_router.h"
#include "mdtc/result.h"

namespace zmq {
class context_t;
class socket_t;
}  // namespace zmq

namespace stub_cad {

struct GatewayOptions {
  std::string pub_endpoint = "tcp://127.0.0.1:5556";
  std::string router_endpoint = "tcp://127.0.0.1:5557";
  std::string epoch;          // empty: a random id for this run
  int heartbeat_ms = 1000;    // 0: no heartbeats
  std::string server_public_key;  // Z85; with the secret key: CURVE server
  std::string server_secret_key;
  std::vector<std::string> coresponders;  // on duty from the start
  std::string record_path;                // JSON Lines of every event
  std::size_t log_per_topic = 20000;      // catch-up log depth
};

struct Inbound {
  std::string from;
  std::string type;
  Poco::JSON::Object::Ptr body;
};

class CadGateway {
 public:
  explicit CadGateway(GatewayOptions options);
  ~CadGateway();
  CadGateway(const CadGateway&) = delete;
  CadGateway& operator=(const CadGateway&) = delete;

  mdtc::Status bind();
  // Serves sockets and heartbeats for up to `timeout_ms`.
  void poll(int timeout_ms);
  // Closes the sockets; `linger_ms` lets queued messages go out first.
  void close(int linger_ms);

  // Publishes `body` on `topic`, filling v, seq, sent_at and epoch unless
  // the body sets them. Returns the seq used. `transmit` = false logs the
  // message for catch-up but never sends it: a fault-injection hook that
  // plays a message lost on the network.
  uint64_t publish(const std::string& topic, Poco::JSON::Object::Ptr body, bool transmit = true);
  void publish_raw(const std::string& topic, const std::string& text);
  // A dispatcher's co-responder request for `for_unit`'s incident
  // (`request_id`, `incident_id`, and what a unit's request carries).
  void dispatch_request(const std::string& for_unit, Poco::JSON::Object::Ptr body);

  const std::string& epoch() const { return opt_.epoch; }
  std::string pub_endpoint() const;     // as bound (port 0 resolved)
  std::string router_endpoint() const;
  bool has_subscriber(const std::string& topic) const;
  bool hello_seen(const std::string& unit) const { return hellos_.count(unit) != 0; }
  const std::vector<Inbound>& inbound() const { return inbound_; }
  uint64_t seq(const std::string& topic) const;
  std::size_t duplicate_keys() const { return duplicate_keys_; }
  // Fault-injection hook: a gateway that receives but never acks, as one
  // whose replies are lost.
  void set_acks(bool on) { acks_ = on; }
  // Fault-injection hook: a gateway that never answers a catch-up ask
  // (neither replays nor catchup_done), as one that lost its log.
  void set_catchup_answers(bool on) { catchup_answers_ = on; }
  void flush_record();

 private:
  void on_xpub();
  void on_router();
  void handle(const std::string& from, const std::string& text);
  void send_to(const std::string& unit, const std::string& topic, const std::string& body);
  void heartbeat();
  void record(Poco::JSON::Object::Ptr event);
  Poco::JSON::Object::Ptr envelope(const std::string& type);

  GatewayOptions opt_;
  std::unique_ptr<zmq::context_t> ctx_;
  std::unique_ptr<zmq::socket_t> pub_, router_;
  std::map<std::string, uint64_t> seqs_;
  std::map<std::string, std::deque<std::pair<uint64_t, std::string>>> log_;
  std::map<std::string, int> subscriptions_;
  std::set<std::string> hellos_;
  std::set<std::string> seen_keys_;
  std::size_t duplicate_keys_ = 0;
  bool acks_ = true;
  bool catchup_answers_ = true;
  std::vector<Inbound> inbound_;
  CoresponderRouter router_rules_;
  std::map<std::string, std::string> newest_fix_at_;  // per unit: the newest AVL fix time taken
  std::ofstream record_;
  std::chrono::steady_clock::time_point next_heartbeat_{};
};

std::string random_epoch();
std::string now_rfc3339();

}  // namespace stub_cad
