// RegistrySync: the thread that owns the registry DEALER socket and the
// staging file. One cycle asks "what comes after the version I hold?",
// fetches each offered file in pipelined chunks, verifies it, hands it to the
// owner's Apply callback and asks again, until the registry says "up to
// date". Other threads reach it only through status() (a mutex-guarded
// snapshot), sync_now(), halt() and stop().
#include <Poco/Logger.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <map>
#include <thread>
#include <zmq.hpp>

#include "envelope.h"
#include "mdtc/registry_sync.h"
#include "staging_cipher.h"
#include "sync_staging.h"

namespace mdtc::bridge {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kTick = 100ms;  // how often a wait looks at stop/halt
// A registry that keeps offering files without ever saying "up to date" is
// broken; stop after this many in one cycle and try again later.
constexpr int kMaxFilesPerCycle = 1000;

bool valid_identity(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  return true;
}

// "sync.bad_json" -> "dropped.bad_json"
std::string drop_counter(const std::string& code) {
  auto dot = code.find('.');
  return "dropped." + (dot == std::string::npos ? code : code.substr(dot + 1));
}

// The cache refusing the file itself, as opposed to the cache being
// unavailable.
bool file_refused(const Error& e) { return e.code.rfind("registry.", 0) == 0; }

enum class Outcome { current, applied, again, rejected, failed, aborted };

struct Reply {
  SyncMessage msg;
  zmq::message_t data;  // chunk payload
};

}  // namespace

struct RegistrySync::Impl {
  RegistrySyncOptions opt;
  CurrentVersion current;
  Apply apply;
  Confirm confirm;
  StatusHandler on_status;
  Poco::Logger& log = Poco::Logger::get("mdtc.registry");

  // Shared, under mu.
  mutable std::mutex mu;
  std::condition_variable cv;
  RegistrySyncStatus st;
  bool wake = false;
  bool applying = false;
  bool thread_running = false;
  bool halt_done = false;
  std::string halt_reason;
  std::atomic<bool> stopping{false};
  std::atomic<bool> halted{false};
  std::thread thread;
  bool started = false;

  // The sync thread (or run_once's caller) only.
  std::unique_ptr<zmq::context_t> ctx;
  std::unique_ptr<zmq::socket_t> sock, monitor;
  uint64_t next_req = 0;
  uint64_t sockets_made = 0;
  std::unique_ptr<SyncStaging> staging;
  std::map<std::string, Error> refused;  // SHA-256 -> why, for files refused in this run
  bool want_snapshot = false;
  int failures = 0;  // consecutive, for the backoff
  std::mt19937 rng{std::random_device{}()};
  Clock::time_point overall_deadline = Clock::time_point::max();
  std::shared_ptr<const TimeSource> time;  // opt.time, or the steady clock

  // --- status ---------------------------------------------------------------

  template <class F>
  void update(F&& change, bool report = true) {
    RegistrySyncStatus copy;
    {
      std::lock_guard lock(mu);
      change(st);
      if (!report) return;
      copy = st;
    }
    if (on_status) {
      try {
        on_status(copy);
      } catch (...) {
        std::lock_guard lock(mu);
        ++st.counters["handler_errors"];
      }
    }
  }

  void bump(const std::string& name, uint64_t by = 1) {
    std::lock_guard lock(mu);
    st.counters[name] += by;
  }

  void set_state(const std::string& state) {
    bool changed = false;
    {
      std::lock_guard lock(mu);
      changed = st.state != state;
    }
    if (changed) update([&](RegistrySyncStatus& s) { s.state = state; });
  }

  Outcome fail(const std::string& code, const std::string& message) {
    log.warning("registry sync: %s", message);
    update([&](RegistrySyncStatus& s) {
      s.state = "failed";
      s.last_error = message;
      s.last_error_code = code;
    });
    return Outcome::failed;
  }

  Outcome fail(const Error& e) { return fail(e.code, e.message); }

  // --- socket ---------------------------------------------------------------

  Status open_socket() {
    try {
      if (!ctx) ctx = std::make_unique<zmq::context_t>(1);
      sock = std::make_unique<zmq::socket_t>(*ctx, zmq::socket_type::dealer);
      sock->set(zmq::sockopt::linger, 0);
      sock->set(zmq::sockopt::routing_id, opt.identity);
      sock->set(zmq::sockopt::reconnect_ivl, 100);
      sock->set(zmq::sockopt::reconnect_ivl_max, 5000);
      // A memory guard: a larger frame makes ZeroMQ drop the connection,
      // which the request timeout then notices.
      sock->set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(kMaxChunkBytes + (64 << 10)));
      if (!opt.server_public_key.empty()) {
        sock->set(zmq::sockopt::curve_serverkey, opt.server_public_key);
        sock->set(zmq::sockopt::curve_publickey, opt.client_public_key);
        sock->set(zmq::sockopt::curve_secretkey, opt.client_secret_key);
        const std::string mon = "inproc://mdtc-registry-monitor-" +
                                std::to_string(reinterpret_cast<uintptr_t>(this)) + "-" +
                                std::to_string(++sockets_made);
        if (zmq_socket_monitor(sock->handle(), mon.c_str(),
                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0)
          return make_error("sync.socket", "cannot monitor the registry socket: " +
                                               std::string(zmq_strerror(zmq_errno())));
        monitor = std::make_unique<zmq::socket_t>(*ctx, zmq::socket_type::pair);
        monitor->connect(mon);
      }
      sock->connect(opt.endpoint);
    } catch (const zmq::error_t& e) {
      close_socket();
      return make_error("sync.socket", "registry socket (" + opt.endpoint + "): " + e.what());
    }
    bump("connects");
    return Ok{};
  }

  void close_socket() {
    if (sock && monitor) zmq_socket_monitor(sock->handle(), nullptr, 0);
    monitor.reset();
    sock.reset();
  }

  // A fresh connection next time: whatever was in flight on this one is
  // forgotten with it, so a late reply can never be mistaken for a new one.
  void reconnect_later() {
    if (!sock) return;
    close_socket();
    bump("reconnects");
  }

  Status send(const SyncMessage& m) {
    const std::string body = encode_sync_message(m);
    try {
      if (!sock->send(zmq::buffer(body), zmq::send_flags::dontwait))
        return make_error("sync.send", "registry " + opt.endpoint + ": send queue full");
    } catch (const zmq::error_t& e) {
      return make_error("sync.send", "registry " + opt.endpoint + ": " + e.what());
    }
    bump("requests");
    return Ok{};
  }

  std::string new_req() { return std::to_string(++next_req); }

  // True when a handshake failed (wrong or missing server key).
  bool handshake_failed() {
    if (!monitor) return false;
    bool failed = false;
    while (true) {
      zmq::message_t event, addr;
      if (!monitor->recv(event, zmq::recv_flags::dontwait)) break;
      if (event.more()) (void)monitor->recv(addr);
      failed = true;
    }
    return failed;
  }

  // Waits for the reply to `req`. Anything else that arrives is counted and
  // dropped. Errors: sync.timeout, sync.handshake, sync.aborted.
  Result<Reply> await(const std::function<bool(const std::string&)>& expected) {
    const auto deadline = std::min(time->now() + std::chrono::milliseconds(opt.request_timeout_ms),
                                   overall_deadline);
    for (;;) {
      if (stopping || halted) return make_error("sync.aborted", "registry sync stopped");
      const auto now = time->now();
      if (now >= deadline)
        return make_error("sync.timeout", "registry " + opt.endpoint + " did not answer within " +
                                              std::to_string(opt.request_timeout_ms) + " ms");
      zmq::pollitem_t items[] = {{sock->handle(), 0, ZMQ_POLLIN, 0},
                                 {monitor ? monitor->handle() : nullptr, 0, ZMQ_POLLIN, 0}};
      const auto wait = std::min<Clock::duration>(kTick, time->wait_slice(deadline));
      try {
        zmq::poll(items, monitor ? 2 : 1, std::chrono::duration_cast<std::chrono::milliseconds>(wait));
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        return make_error("sync.socket", std::string("registry socket poll: ") + e.what());
      }
      if (monitor && (items[1].revents & ZMQ_POLLIN) && handshake_failed()) {
        bump("handshake_failures");
        return make_error("sync.handshake", "security handshake with the registry " + opt.endpoint +
                                                " failed (wrong or missing server key?)");
      }
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      while (true) {
        std::vector<zmq::message_t> frames;
        zmq::message_t part;
        try {
          if (!sock->recv(part, zmq::recv_flags::dontwait)) break;
          frames.push_back(std::move(part));
          while (frames.back().more()) {
            zmq::message_t next;
            if (!sock->recv(next)) break;
            frames.push_back(std::move(next));
          }
        } catch (const zmq::error_t& e) {
          return make_error("sync.socket", std::string("registry socket receive: ") + e.what());
        }
        bump("replies");
        if (frames.size() > 2) {
          bump("dropped.bad_frames");
          continue;
        }
        auto m = decode_sync_message(frames[0].to_string_view());
        if (!m) {
          bump(drop_counter(m.error().code));
          log.warning("registry sync: dropped a reply: %s", m.error().message);
          continue;
        }
        if ((m->type == "chunk") != (frames.size() == 2)) {
          bump("dropped.bad_frames");
          continue;
        }
        if (m->type == "sync" || m->type == "fetch") {
          bump("dropped.unexpected_reply");
          continue;
        }
        if (!expected(m->req)) {
          bump("dropped.stale_reply");
          continue;
        }
        Reply r{std::move(m.value()), {}};
        if (frames.size() == 2) r.data = std::move(frames[1]);
        return r;
      }
    }
  }

  // --- one cycle ------------------------------------------------------------

  std::optional<int64_t> held_version() {
    try {
      return current ? current() : std::nullopt;
    } catch (...) {
      bump("handler_errors");
      return std::nullopt;
    }
  }

  Outcome cycle() {
    for (int files = 0; files < kMaxFilesPerCycle; ++files) {
      if (!sock) {
        set_state("connecting");
        if (auto r = open_socket(); !r) return fail(r.error());
      }
      const auto have = held_version();
      update([&](RegistrySyncStatus& s) {
        s.version = have;
        s.state = "checking";
      });
      SyncMessage ask;
      ask.type = "sync";
      ask.req = new_req();
      ask.unit = opt.identity;
      ask.have = have;
      ask.want = (want_snapshot || !have) ? "snapshot" : "next";
      if (auto r = send(ask); !r) {
        reconnect_later();
        return fail(r.error());
      }
      auto reply = await([&](const std::string& req) { return req == ask.req; });
      if (!reply) return lost(reply.error());
      const SyncMessage& m = reply->msg;
      if (m.type == "up_to_date") return up_to_date(m, have);
      if (m.type == "error") {
        bump("registry_errors");
        return fail("sync.registry_" + m.code, "registry " + opt.endpoint + " answered " + m.code +
                                                   (m.message.empty() ? "" : ": " + m.message));
      }
      if (m.type != "offer") {
        bump("dropped.unexpected_reply");
        reconnect_later();
        return fail("sync.protocol", "registry " + opt.endpoint + " answered a sync with " + m.type);
      }
      bump("offers");
      const Outcome o = fetch_and_apply(m);
      if (o != Outcome::applied && o != Outcome::again) return o;
    }
    return fail("sync.endless", "registry " + opt.endpoint + " offered " + std::to_string(kMaxFilesPerCycle) +
                                    " files in one cycle without saying up to date");
  }

  Outcome lost(const Error& e) {
    if (e.code == "sync.aborted") return Outcome::aborted;
    if (e.code == "sync.timeout") bump("timeouts");
    reconnect_later();
    return fail(e);
  }

  Outcome up_to_date(const SyncMessage& m, const std::optional<int64_t>& have) {
    bump("up_to_date");
    if (have && m.version < *have) {
      // The registry went back in time (restored from a backup?). Versions
      // only rise: the cache refuses older files, so say so loudly.
      bump("registry_behind");
      log.warning("registry sync: the registry is at version %s, behind the %s this unit holds",
                  std::to_string(m.version), std::to_string(*have));
    }
    if (confirm) {
      // Guarded like an import: halt() waits for it, and it never runs after.
      bool go = false;
      {
        std::lock_guard lock(mu);
        go = !halted && !stopping;
        applying = go;
      }
      if (go) {
        try {
          confirm(m.version);
        } catch (...) {
          bump("handler_errors");
        }
        {
          std::lock_guard lock(mu);
          applying = false;
        }
        cv.notify_all();
      }
    }
    failures = 0;
    update([&](RegistrySyncStatus& s) {
      s.state = "current";
      s.registry_version = m.version;
      s.last_success = rfc3339_now();
      s.last_error.clear();
      s.last_error_code.clear();
      s.transfer_version = 0;
      s.transfer_mode.clear();
      s.transfer_bytes = s.transfer_total = 0;
    });
    return Outcome::current;
  }

  Outcome fetch_and_apply(const SyncMessage& offer) {
    const std::string what = offer.mode + " version " + std::to_string(offer.version);
    update([&](RegistrySyncStatus& s) { s.registry_version = std::max(s.registry_version.value_or(0), offer.version); },
           false);
    if (auto it = refused.find(offer.sha256); it != refused.end()) {
      bump("refused_skipped");
      update([&](RegistrySyncStatus& s) {
        s.state = "rejected";
        s.last_error = what + " was refused (" + it->second.message +
                       "); waiting for the registry to publish another file";
        s.last_error_code = it->second.code;
      });
      return Outcome::rejected;
    }
    if (offer.total > opt.max_file_bytes) {
      const Error e = make_error("sync.too_large", what + " is " + std::to_string(offer.total) +
                                                       " bytes: more than the limit of " +
                                                       std::to_string(opt.max_file_bytes));
      refused.emplace(offer.sha256, e);
      bump("files_rejected");
      update([&](RegistrySyncStatus& s) {
        s.state = "rejected";
        s.last_error = e.message;
        s.last_error_code = e.code;
      });
      log.error("registry sync: %s is larger than the limit", what);
      return Outcome::rejected;
    }

    const StagedFileId id{offer.version, offer.mode, offer.sha256, offer.total};
    auto resume = staging->begin(id);
    if (!resume) return fail(resume.error());
    const uint64_t held = resume->held;
    bump("transfers");
    if (!resume->discarded.empty()) {
      bump("staging_discarded");
      log.warning("registry sync: %s; the bytes held of %s were discarded and it is fetched afresh",
                  resume->discarded, what);
    }
    if (resume->chunks_rejected > 0) {
      bump("staging_chunks_rejected", resume->chunks_rejected);
      log.warning("registry sync: a staged chunk of %s failed authentication; fetching it again from byte %s",
                  what, std::to_string(held));
    }
    if (held > 0) {
      bump("transfers_resumed");
      bump("bytes_resumed", held);
      log.information("registry sync: resuming %s at byte %s of %s", what, std::to_string(held),
                      std::to_string(offer.total));
    }
    update([&](RegistrySyncStatus& s) {
      s.state = "transferring";
      s.transfer_version = offer.version;
      s.transfer_mode = offer.mode;
      s.transfer_bytes = held;
      s.transfer_total = offer.total;
    });

    const uint64_t chunk = std::max<uint64_t>(
        1, std::min<uint64_t>({opt.chunk_bytes, offer.chunk_bytes ? offer.chunk_bytes : kMaxChunkBytes,
                               kMaxChunkBytes}));
    struct InFlight {
      std::string req;
      uint64_t offset, length;
    };
    std::deque<InFlight> in_flight;
    uint64_t next_ask = staging->size();
    while (staging->size() < offer.total) {
      while (static_cast<int>(in_flight.size()) < std::max(1, opt.window) && next_ask < offer.total) {
        SyncMessage f;
        f.type = "fetch";
        f.req = new_req();
        f.version = offer.version;
        f.mode = offer.mode;
        f.sha256 = offer.sha256;
        f.offset = next_ask;
        f.length = std::min(chunk, offer.total - next_ask);
        if (auto r = send(f); !r) {
          staging->close();
          reconnect_later();
          return fail(r.error());
        }
        in_flight.push_back({f.req, f.offset, f.length});
        next_ask += f.length;
      }
      auto reply = await([&](const std::string& req) {
        return std::any_of(in_flight.begin(), in_flight.end(), [&](const InFlight& i) { return i.req == req; });
      });
      if (!reply) {
        staging->close();
        return lost(reply.error());
      }
      const SyncMessage& m = reply->msg;
      if (m.type == "error" && m.code == "gone") {
        // The registry no longer has this file (a newer one replaced it):
        // ask again what to fetch.
        bump("transfers_gone");
        staging->discard();
        reconnect_later();  // the other fetches' answers are of no use
        return Outcome::again;
      }
      if (m.type == "error") {
        bump("registry_errors");
        staging->close();
        reconnect_later();
        return fail("sync.registry_" + m.code, "registry " + opt.endpoint + " answered " + m.code +
                                                   (m.message.empty() ? "" : ": " + m.message));
      }
      const InFlight expect = in_flight.front();
      const bool fits = m.type == "chunk" && m.req == expect.req && m.version == offer.version &&
                        m.mode == offer.mode && m.sha256 == offer.sha256 && m.total == offer.total &&
                        m.offset == expect.offset && reply->data.size() == expect.length;
      if (!fits) {
        bump("dropped.bad_chunk");
        staging->close();
        reconnect_later();
        return fail("sync.protocol", "registry " + opt.endpoint + " sent a " + m.type +
                                         " that does not answer the fetch at byte " +
                                         std::to_string(expect.offset) + " of " + what);
      }
      in_flight.pop_front();
      if (auto w = staging->append(m.offset, reply->data.to_string_view()); !w) {
        staging->close();
        reconnect_later();
        return fail(w.error());
      }
      bump("chunks");
      bump("bytes_fetched", reply->data.size());
      update([&](RegistrySyncStatus& s) { s.transfer_bytes = staging->size(); }, false);
    }
    if (!in_flight.empty()) reconnect_later();  // cannot happen: every fetch is inside total

    // The verified text exists only in memory (the file holds it sealed):
    // what the cache imports is exactly what was verified.
    auto verified = staging->read_verified();
    if (!verified) {
      staging->close();
      return fail(verified.error());
    }
    if (!*verified) {
      bump("verify_failures");
      staging->discard();
      return fail("sync.verify_failed", what + " from " + opt.endpoint +
                                            " does not match its SHA-256; discarded, it will be fetched again");
    }
    staging->close();
    std::string text = std::move(**verified);
    const Outcome o = apply_staged(offer, what, text);
    wipe_memory(text.data(), text.size());
    return o;
  }

  Outcome apply_staged(const SyncMessage& offer, const std::string& what, std::string_view text) {
    {
      std::lock_guard lock(mu);
      if (halted || stopping) return Outcome::aborted;
      applying = true;
      st.state = "applying";
    }
    update([](RegistrySyncStatus&) {});
    Status r = Ok{};
    try {
      r = apply ? apply(text, offer.version, offer.mode)
                : Status(make_error("sync.config", "nothing to apply registry files to"));
    } catch (const std::exception& e) {
      r = make_error("sync.apply_failed", std::string("applying ") + what + " threw: " + e.what());
    }
    {
      std::lock_guard lock(mu);
      applying = false;
    }
    cv.notify_all();
    if (r) {
      staging->discard();
      bump("files_applied");
      bump(offer.mode == "snapshot" ? "snapshots_applied" : "deltas_applied");
      if (offer.mode == "snapshot") want_snapshot = false;
      log.information("registry sync: applied %s (%s bytes)", what, std::to_string(offer.total));
      return Outcome::applied;
    }
    if (file_refused(r.error())) {
      // Never fetched again in this run, so a bad file cannot make the unit
      // loop on it; a delta that does not fit asks for a snapshot next.
      refused.emplace(offer.sha256, r.error());
      staging->discard();
      bump("files_rejected");
      const bool delta = offer.mode == "delta";
      if (delta) want_snapshot = true;
      log.error("registry sync: the cache refused %s: %s", what, r.error().code);
      update([&](RegistrySyncStatus& s) {
        if (!delta) s.state = "rejected";  // a delta goes on to ask for a snapshot
        s.last_error = "the cache refused " + what + ": " + r.error().message;
        s.last_error_code = r.error().code;
      });
      return delta ? Outcome::again : Outcome::rejected;
    }
    bump("apply_failures");
    return fail(r.error().code, "could not apply " + what + " (kept, will retry): " + r.error().message);
  }

  // --- the thread -----------------------------------------------------------

  Clock::duration backoff() {
    ++failures;
    int64_t ms = opt.backoff_initial_ms;
    for (int i = 1; i < failures && ms < opt.backoff_max_ms; ++i) ms *= 2;
    ms = std::min<int64_t>({ms, opt.backoff_max_ms, int64_t{opt.interval_s} * 1000});
    // Spread a fleet's retries after a registry outage.
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(ms) * jitter(rng)));
  }

  void settle_halt() {
    staging->discard();
    refused.clear();
    want_snapshot = false;
    close_socket();
    {
      std::lock_guard lock(mu);
      st.state = "halted";
      st.last_error = halt_reason;
      st.last_error_code = "sync.halted";
      st.transfer_bytes = st.transfer_total = 0;
      halt_done = true;
    }
    cv.notify_all();
    update([](RegistrySyncStatus&) {});
  }

  void run() {
    while (!stopping) {
      if (halted) {
        settle_halt();
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping.load(); });
        break;
      }
      Outcome o = cycle();
      if (halted || stopping) continue;
      Clock::duration delay{};
      if (o == Outcome::failed) {
        delay = backoff();
      } else if (o == Outcome::current || o == Outcome::rejected) {
        failures = 0;
        delay = std::chrono::seconds(opt.interval_s);
      }
      // The wait is measured on `time`: a slice at a time, so that time a
      // test moves is noticed; the steady clock's slice is the whole wait.
      const auto due = time->now() + delay;
      std::unique_lock lock(mu);
      while (!(stopping || halted || wake) && time->now() < due)
        cv.wait_for(lock, time->wait_slice(due), [&] { return stopping || halted || wake; });
      wake = false;
    }
    close_socket();
    if (!halted) staging->close();
    update([](RegistrySyncStatus& s) {
      if (s.state != "halted") s.state = "stopped";
    });
  }

  Status validate() const {
    if (opt.endpoint.empty()) return make_error("sync.config", "registry endpoint is empty");
    if (!valid_identity(opt.identity))
      return make_error("sync.config", "registry identity \"" + opt.identity +
                                           "\": expected 1-64 letters, digits, '-' or '_'");
    if (!opt.server_public_key.empty() &&
        (opt.server_public_key.size() != 40 || opt.client_public_key.size() != 40 ||
         opt.client_secret_key.size() != 40))
      return make_error("sync.config",
                        "registry CURVE keys: expected 40-character Z85 server public, client public and "
                        "client secret keys");
    if (opt.staging_path.empty()) return make_error("sync.config", "registry staging path is empty");
    if (opt.interval_s <= 0 || opt.request_timeout_ms <= 0 || opt.backoff_initial_ms <= 0 ||
        opt.backoff_max_ms < opt.backoff_initial_ms)
      return make_error("sync.config", "registry sync timings must be positive (interval " +
                                           std::to_string(opt.interval_s) + " s, timeout " +
                                           std::to_string(opt.request_timeout_ms) + " ms)");
    if (opt.chunk_bytes == 0 || opt.chunk_bytes > kMaxChunkBytes || opt.window <= 0)
      return make_error("sync.config", "registry chunk_bytes = " + std::to_string(opt.chunk_bytes) +
                                           ": expected 1 to " + std::to_string(kMaxChunkBytes));
    return Ok{};
  }
};

RegistrySync::RegistrySync(RegistrySyncOptions options, CurrentVersion current, Apply apply,
                           Confirm confirm, StatusHandler on_status)
    : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.opt = std::move(options);
  d.current = std::move(current);
  d.apply = std::move(apply);
  d.confirm = std::move(confirm);
  d.on_status = std::move(on_status);
  d.time = d.opt.time ? d.opt.time : steady_time();
  d.staging = std::make_unique<SyncStaging>(d.opt.staging_path);
  for (const char* name : {"requests", "replies", "offers", "up_to_date", "transfers", "transfers_resumed",
                           "chunks", "bytes_fetched", "bytes_resumed", "files_applied", "files_rejected",
                           "refused_skipped", "verify_failures", "apply_failures", "staging_discarded",
                           "staging_chunks_rejected", "timeouts",
                           "reconnects", "handshake_failures", "registry_errors"})
    d.st.counters[name] = 0;
}

RegistrySync::~RegistrySync() { stop(); }

Status RegistrySync::start() {
  auto& d = *impl_;
  if (d.started) return Ok{};
  if (auto v = d.validate(); !v) return v;
  d.stopping = false;
  d.started = true;
  {
    std::lock_guard lock(d.mu);
    d.thread_running = true;
  }
  d.thread = std::thread([&d] {
    d.run();
    {
      std::lock_guard lock(d.mu);
      d.thread_running = false;
    }
    d.cv.notify_all();
  });
  return Ok{};
}

void RegistrySync::stop() {
  auto& d = *impl_;
  if (!d.started) return;
  {
    std::lock_guard lock(d.mu);
    d.stopping = true;
  }
  d.cv.notify_all();
  if (d.thread.joinable()) d.thread.join();
  d.started = false;
}

void RegistrySync::sync_now() {
  auto& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    d.wake = true;
  }
  d.cv.notify_all();
}

void RegistrySync::halt(const std::string& reason) {
  auto& d = *impl_;
  std::unique_lock lock(d.mu);
  d.halt_reason = reason;
  d.halted = true;
  d.cv.notify_all();
  if (d.thread_running) {
    // The thread notices within one tick, or once the import it is running
    // returns; then it deletes the staging files.
    d.cv.wait(lock, [&] { return d.halt_done || !d.thread_running; });
    if (d.halt_done) return;
  }
  lock.unlock();
  d.settle_halt();
}

RegistrySyncStatus RegistrySync::run_once(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (d.started) {
    auto s = status();
    s.last_error = "run_once: the background sync is running";
    s.last_error_code = "sync.busy";
    return s;
  }
  if (auto v = d.validate(); !v) {
    d.fail(v.error());
    return status();
  }
  d.overall_deadline = d.time->now() + timeout;
  const Outcome o = d.cycle();
  d.overall_deadline = Clock::time_point::max();
  d.close_socket();
  d.staging->close();
  if (o == Outcome::aborted) d.fail("sync.aborted", "registry sync stopped");
  return status();
}

Result<SyncMessage> RegistrySync::probe(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (d.started) return make_error("sync.busy", "probe: the background sync is running");
  if (auto v = d.validate(); !v) return v.error();
  if (auto r = d.open_socket(); !r) return r.error();
  d.overall_deadline = d.time->now() + timeout;
  SyncMessage ask;
  ask.type = "sync";
  ask.req = d.new_req();
  ask.unit = d.opt.identity;
  ask.have = d.held_version();
  ask.want = ask.have ? "next" : "snapshot";
  Result<SyncMessage> answer = [&]() -> Result<SyncMessage> {
    if (auto sent = d.send(ask); !sent) return sent.error();
    auto reply = d.await([&](const std::string& req) { return req == ask.req; });
    if (!reply) return reply.error();
    return reply->msg;
  }();
  d.overall_deadline = Clock::time_point::max();
  d.close_socket();
  return answer;
}

RegistrySyncStatus RegistrySync::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->st;
}

}  // namespace mdtc::bridge
