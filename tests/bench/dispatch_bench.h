// What the dispatch-to-panel benches share: a generated registry whose every
// premise carries a flag (so every dispatch pops a panel), CAD's side (each
// call dispatched, then cancelled once its panel is up), the host side that
// notes when each premise panel arrived and went, and the floor they are
// measured against: a bare PUB/SUB one-way time on the same loopback.
#pragma once

#include <zmq.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "mdt_host/mdt_host_api.h"
#include "mdtc/registry_line.h"

namespace mdtc::bench {

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Percentiles {
  double p50 = 0, p99 = 0, p999 = 0, max = 0;
};

inline Percentiles percentiles(std::vector<double> us) {
  if (us.empty()) return {};
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * static_cast<double>(us.size())))];
  };
  return {at(0.50), at(0.99), at(0.999), us.back()};
}

// Unique per i: house number, directional, street and type all vary.
inline std::string address_of(size_t i) {
  static const char* kStreets[] = {"MAPLE", "OAK",       "ELM",     "WALNUT", "CHESTNUT", "LINCOLN", "WASHINGTON",
                                   "JEFFERSON", "MADISON", "MONROE", "ADAMS",  "JACKSON",  "CEDAR",   "PINE"};
  static const char* kTypes[] = {"ST", "AVE", "BLVD", "DR", "RD", "CT"};
  static const char* kDirs[] = {"N", "S", "E", "W"};
  const size_t street = i % 14, type = (i / 14) % 6, dir = (i / 84) % 4, block = i / 336;
  return std::to_string(100 + block) + " " + kDirs[dir] + " " + kStreets[street] + " " + kTypes[type];
}

// A complete snapshot export: `premises` premises, one WEAPONS flag each.
inline std::string registry(size_t premises, int version = 1) {
  std::string out = "{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":" + std::to_string(version) +
                    ",\"created\":\"2026-11-22T00:00:00Z\"}\n";
  out.reserve(premises * 260);
  for (size_t i = 0; i < premises; ++i) {
    const std::string id = std::to_string(i);
    out += "{\"type\":\"premise\",\"id\":\"P" + id + "\",\"address\":\"" + address_of(i) + ", SPRINGFIELD IL\"}\n";
    out += "{\"type\":\"flag\",\"id\":\"F" + id + "\",\"premise\":\"P" + id +
           "\",\"kind\":\"safety\",\"code\":\"WEAPONS\",\"note\":\"Fictional benchmark note " + id +
           "\",\"audience\":\"all\"}\n";
  }
  return *mdtc::cache::complete_registry_file(out);
}

inline std::string body_for(uint64_t seq, const std::string& incident, const std::string& address) {
  return "{\"v\":1,\"type\":\"dispatch\",\"seq\":" + std::to_string(seq) +
         ",\"epoch\":\"bench\",\"sent_at\":\"2026-11-22T10:00:00Z\",\"incident\":{\"id\":\"" + incident +
         "\",\"call_type\":\"WELFARE CHECK\",\"priority\":2,\"units\":[\"B1\"],"
         "\"location\":{\"address\":\"" +
         address + ", SPRINGFIELD IL\"}}}";
}

inline std::string cancel_for(uint64_t seq, const std::string& incident) {
  return "{\"v\":1,\"type\":\"cancel\",\"seq\":" + std::to_string(seq) +
         ",\"epoch\":\"bench\",\"sent_at\":\"2026-11-22T10:00:00Z\",\"incident_id\":\"" + incident + "\"}";
}

// CAD's side, one call at a time as a car takes them: a dispatch, and once
// its panel is up, the call's cancel. Calls left open piled up over a run
// (17,000 of them) and the plugin's once-a-second look over its open calls
// grew with them, to 2-20 ms in front of whichever dispatch came next:
// a cost of the bench, not of a car's shift.
class CadFeed {
 public:
  explicit CadFeed(zmq::socket_t& pub) : pub_(pub) {}

  // Publishes a dispatch of `incident` to `address`; when it went out.
  int64_t dispatch(const std::string& incident, const std::string& address) {
    const std::string body = body_for(++seq_, incident, address);
    const int64_t t0 = now_ns();
    send(body);
    return t0;
  }
  void cancel(const std::string& incident) { send(cancel_for(++seq_, incident)); }

 private:
  void send(const std::string& body) {
    pub_.send(zmq::buffer(std::string("unit.B1")), zmq::send_flags::sndmore);
    pub_.send(zmq::buffer(body), zmq::send_flags::none);
  }
  zmq::socket_t& pub_;
  uint64_t seq_ = 0;
};

// The host's side: when each incident's premise panel arrived, and which went.
struct ShownPanels {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, int64_t> shown_ns;  // incident id -> when its premise panel arrived
  std::map<std::string, bool> closed;       // incident id -> its premise panel was taken down

  // Waits for the panel of `incident`; its arrival time, or -1 after `timeout`.
  int64_t wait_for(const std::string& incident, std::chrono::seconds timeout) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, timeout, [&] { return shown_ns.count(incident) > 0; })) return -1;
    return shown_ns[incident];
  }

  // Waits until the premise panel of `incident` is taken down.
  bool wait_closed(const std::string& incident, std::chrono::seconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return closed.count(incident) > 0; });
  }

  // Dispatches `incident`, waits for its premise panel, then cancels it and
  // waits for the panel to go: the latency in microseconds, or < 0 if the
  // panel never came (or never went).
  double one_call(CadFeed& cad, const std::string& incident, const std::string& address,
                  std::chrono::seconds timeout) {
    const int64_t t0 = cad.dispatch(incident, address);
    const int64_t shown = wait_for(incident, timeout);
    if (shown < 0) return -1;
    cad.cancel(incident);
    if (!wait_closed(incident, timeout)) return -1;
    return static_cast<double>(shown - t0) / 1000.0;
  }
};

inline int32_t on_show(void* data, const char* panel_id, const char*) {
  const int64_t t = now_ns();
  auto& h = *static_cast<ShownPanels*>(data);
  if (std::strncmp(panel_id, "premise:", 8) != 0) return MDT_OK;
  std::lock_guard lock(h.mu);
  h.shown_ns[panel_id + 8] = t;
  h.cv.notify_all();
  return MDT_OK;
}

inline int32_t on_close(void* data, const char* panel_id) {
  auto& h = *static_cast<ShownPanels*>(data);
  if (std::strncmp(panel_id, "premise:", 8) != 0) return MDT_OK;
  std::lock_guard lock(h.mu);
  h.closed[panel_id + 8] = true;
  h.cv.notify_all();
  return MDT_OK;
}

// Bare floor: one PUB, one SUB, the same two-frame messages, one at a time.
inline std::vector<double> bare_zmq(int count, const std::string& endpoint) {
  zmq::context_t ctx;
  zmq::socket_t pub(ctx, zmq::socket_type::xpub);
  pub.bind(endpoint);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "unit.B1");
  sub.connect(endpoint);
  zmq::message_t subscription;
  (void)pub.recv(subscription);  // XPUB reports the subscription: no slow-joiner loss
  std::vector<double> us;
  const std::string body = body_for(1, "I-0", address_of(0));
  for (int i = 0; i < count; ++i) {
    const int64_t t0 = now_ns();
    pub.send(zmq::buffer(std::string("unit.B1")), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(body), zmq::send_flags::none);
    zmq::message_t topic, payload;
    (void)sub.recv(topic);
    (void)sub.recv(payload);
    us.push_back(static_cast<double>(now_ns() - t0) / 1000.0);
  }
  return us;
}

// Waits until the plugin's SUB has subscribed to unit.B1 on this XPUB.
inline void await_subscription(zmq::socket_t& xpub) {
  for (;;) {
    zmq::message_t sub;
    (void)xpub.recv(sub);
    if (sub.to_string() == std::string("\x01unit.B1", 8)) return;
  }
}

}  // namespace mdtc::bench
