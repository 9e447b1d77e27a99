#include "registry_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "mdtc/registry_sync.h"
#include "registry_catalog.h"
#include "registry_compressor.h"

namespace mdtc::stub_registry {
namespace {

using bridge::SyncMessage;

std::string printable_id(const zmq::message_t& id) {
  std::string s = id.to_string();
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return s;
}

bool read_range(const std::string& path, uint64_t offset, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  std::size_t done = 0;
  while (done < out.size()) {
    auto n = ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return done == out.size();
}

class Server {
 public:
  Server(const ServerOptions& o, const std::function<void(const std::string&)>& say)
      : opt_(o), say_(say), catalog_(o.dir), compressor_(o.zstd_level, o.corrupt_zstd) {}

  int run(const std::atomic<bool>& stop, const std::function<void()>& ready) {
    zmq::context_t ctx(1);
    zmq::socket_t router(ctx, zmq::socket_type::router);
    try {
      // A unit that reconnects (new TCP connection, same identity) takes
      // over its old route instead of being refused.
      router.set(zmq::sockopt::router_handover, 1);
      router.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(bridge::kMaxSyncMessageBytes * 4));
      router.set(zmq::sockopt::linger, 2000);
      if (!opt_.curve_secret_key.empty()) {
        router.set(zmq::sockopt::curve_server, 1);
        router.set(zmq::sockopt::curve_secretkey, opt_.curve_secret_key);
      }
      router.bind(opt_.endpoint);
    } catch (const zmq::error_t& e) {
      say_(std::string("cannot bind ") + opt_.endpoint + ": " + e.what());
      return 1;
    }
    for (const auto& w : catalog_.rescan()) say_(w);
    compress_new();
    describe();
    ready();
    while (!stop.load()) {
      zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0}};
      try {
        zmq::poll(items, 1, std::chrono::milliseconds(200));
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) continue;
        throw;
      }
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      zmq::message_t part;
      if (!router.recv(part, zmq::recv_flags::dontwait)) continue;
      frames.push_back(std::move(part));
      while (frames.back().more()) {
        zmq::message_t next;
        if (!router.recv(next)) break;
        frames.push_back(std::move(next));
      }
      if (frames.size() != 2) continue;  // [identity][body] only
      handle(router, frames[0], frames[1].to_string_view());
      if (opt_.stop_after_chunks && chunks_sent_ >= opt_.stop_after_chunks) {
        say_("stopping after " + std::to_string(chunks_sent_) + " chunks (fault injection)");
        return 3;  // the socket's linger lets what was sent leave first
      }
    }
    return 0;
  }

 private:
  void describe() {
    int64_t latest = 0;
    for (const auto& f : catalog_.files()) latest = std::max(latest, f.version);
    say_("serving " + std::to_string(catalog_.files().size()) + " files from " + opt_.dir + ", latest version " +
         std::to_string(latest));
  }

  // Files are compressed once, when first seen, so that no unit waits for
  // it (a registry would compress as it publishes). Level opt_.zstd_level.
  void compress_new() {
    if (opt_.identity_only) return;
    compressor_.keep_only(catalog_.files());
    for (const auto& f : catalog_.files()) {
      std::string why;
      if (!compressor_.get(f, why)) say_(f.path + ": served as written only: cannot compress: " + why);
    }
  }

  void reply(zmq::socket_t& router, const zmq::message_t& id, const SyncMessage& m, const std::string* data = nullptr) {
    const std::string body = bridge::encode_sync_message(m);
    router.send(zmq::buffer(id.data(), id.size()), zmq::send_flags::sndmore);
    if (data) {
      router.send(zmq::buffer(body), zmq::send_flags::sndmore);
      router.send(zmq::buffer(*data), zmq::send_flags::none);
    } else {
      router.send(zmq::buffer(body), zmq::send_flags::none);
    }
  }

  void error(zmq::socket_t& router, const zmq::message_t& id, const std::string& req, const std::string& code,
             const std::string& message) {
    SyncMessage e;
    e.type = "error";
    e.req = req;
    e.code = code;
    e.message = message;
    reply(router, id, e);
  }

  void handle(zmq::socket_t& router, const zmq::message_t& id, std::string_view body) {
    auto m = bridge::decode_sync_message(body);
    if (!m) {
      error(router, id, "", "bad_request", m.error().message);
      return;
    }
    if (m->type == "sync") return on_sync(router, id, *m);
    if (m->type == "fetch") return on_fetch(router, id, *m);
    error(router, id, m->req, "bad_request", "a registry answers sync and fetch, not " + m->type);
  }

  void on_sync(zmq::socket_t& router, const zmq::message_t& id, const SyncMessage& m) {
    const std::size_t before = catalog_.files().size();
    for (const auto& w : catalog_.rescan()) say_(w);
    compress_new();
    if (catalog_.files().size() != before) describe();
    Answer a = choose(catalog_.files(), m.have, m.want == "snapshot");
    if (opt_.delta_ahead_once && !delta_ahead_done_ && m.have && m.want != "snapshot") {
      for (const auto& f : catalog_.files())
        if (f.mode == "delta" && f.version == *m.have + 2) {
          a.kind = Answer::Kind::offer;
          a.file = &f;
          delta_ahead_done_ = true;
        }
    }
    const std::string who = printable_id(id) + " (holds " + (m.have ? std::to_string(*m.have) : "nothing") +
                            (m.want == "snapshot" ? ", wants a snapshot" : "") + ")";
    SyncMessage r;
    r.req = m.req;
    switch (a.kind) {
      case Answer::Kind::up_to_date:
        r.type = "up_to_date";
        r.version = a.latest;
        say_(who + ": up to date at version " + std::to_string(a.latest));
        break;
      case Answer::Kind::offer: {
        r.type = "offer";
        r.version = a.file->version;
        r.mode = a.file->mode;
        r.sha256 = a.file->sha256;
        r.total = a.file->size;
        r.chunk_bytes = opt_.chunk_bytes;
        std::string how;
        if (takes_zstd(m)) {
          std::string why;
          if (const CompressedFile* z = compressor_.get(*a.file, why)) {
            r.encoding = bridge::kZstdEncoding;
            r.wire_sha256 = z->sha256;
            r.total = z->size;
            r.content_total = a.file->size;
            how = ", zstd " + std::to_string(z->size) + " bytes";
          } else {
            how = ", as written: cannot compress: " + why;
          }
        }
        say_(who + ": offering " + a.file->mode + " version " + std::to_string(a.file->version) + " (" +
             std::to_string(a.file->size) + " bytes" + how + ")");
        break;
      }
      case Answer::Kind::error:
        say_(who + ": " + a.message);
        return error(router, id, m.req, a.code, a.message);
    }
    reply(router, id, r);
  }

  // The first encoding of the unit's list this registry serves; identity
  // when it says none (a unit from before compressed transfer) or when this
  // registry plays one from before.
  bool takes_zstd(const SyncMessage& m) const {
    if (opt_.identity_only) return false;
    for (const auto& e : m.accept_encoding) {
      if (e == bridge::kZstdEncoding) return true;
      if (e == bridge::kIdentityEncoding) return false;
    }
    return false;
  }

  void on_fetch(zmq::socket_t& router, const zmq::message_t& id, const SyncMessage& m) {
    if (opt_.gone_always)
      return error(router, id, m.req, "gone",
                   m.mode + " version " + std::to_string(m.version) + " is gone (fault injection: every fetch)");
    const CatalogFile* cf = catalog_.find(m.version, m.mode, m.sha256);
    if (cf && !RegistryCatalog::unchanged(*cf)) {
      catalog_.rescan();
      cf = catalog_.find(m.version, m.mode, m.sha256);
    }
    if (!cf)
      return error(router, id, m.req, "gone",
                   m.mode + " version " + std::to_string(m.version) + " with that SHA-256 is no longer served");
    // What the fetch reads: the file as written, or its zstd stream (which
    // must be the one offered: same wire SHA-256).
    struct Served {
      std::string path;
      uint64_t size;
    } served{cf->path, cf->size};
    if (m.encoding != bridge::kIdentityEncoding) {
      if (m.encoding != bridge::kZstdEncoding || opt_.identity_only)
        return error(router, id, m.req, "bad_request", "encoding \"" + m.encoding + "\" is not served");
      std::string why;
      const CompressedFile* z = compressor_.get(*cf, why);
      if (!z || z->sha256 != m.wire_sha256)
        return error(router, id, m.req, "gone",
                     m.mode + " version " + std::to_string(m.version) + " is no longer served in that zstd stream");
      served = {z->path, z->size};
    }
    const Served* f = &served;
    if (m.offset >= f->size && f->size > 0)
      return error(router, id, m.req, "bad_request", "offset " + std::to_string(m.offset) + " is past the end");
    if (m.length > opt_.chunk_bytes)
      return error(router, id, m.req, "bad_request",
                   "length " + std::to_string(m.length) + " exceeds chunk_bytes " + std::to_string(opt_.chunk_bytes));
    std::string data(static_cast<std::size_t>(std::min<uint64_t>(m.length, f->size - m.offset)), '\0');
    if (!read_range(f->path, m.offset, data))
      return error(router, id, m.req, "gone", "the file could not be read");
    if (opt_.chunk_delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(opt_.chunk_delay_ms));
    ++chunks_sent_;
    if (opt_.corrupt_chunk && chunks_sent_ == opt_.corrupt_chunk && !data.empty()) {
      data[0] = static_cast<char>(data[0] ^ 0x20);
      say_("corrupting chunk " + std::to_string(chunks_sent_) + " (fault injection)");
    } else if (opt_.corrupt_always && m.offset == 0 && !data.empty()) {
      data[0] = static_cast<char>(data[0] ^ 0x20);
      say_("corrupting the first chunk of " + cf->mode + " version " + std::to_string(cf->version) +
           " (fault injection: every transfer)");
    }
    SyncMessage c;
    c.type = "chunk";
    c.req = m.req;
    c.version = cf->version;
    c.mode = cf->mode;
    c.sha256 = cf->sha256;
    c.encoding = m.encoding;
    c.wire_sha256 = m.wire_sha256;
    c.total = f->size;
    c.offset = m.offset;
    reply(router, id, c, &data);
    if (m.offset + data.size() == f->size)
      say_(printable_id(id) + ": sent the last chunk of " + cf->mode + " version " + std::to_string(cf->version) +
           (m.encoding == bridge::kIdentityEncoding ? "" : " (" + m.encoding + ")"));
  }

  ServerOptions opt_;
  std::function<void(const std::string&)> say_;
  RegistryCatalog catalog_;
  bool delta_ahead_done_ = false;
  RegistryCompressor compressor_;
  uint64_t chunks_sent_ = 0;
};

}  // namespace

int serve(const ServerOptions& options, const std::atomic<bool>& stop, const std::function<void()>& ready,
          const std::function<void(const std::string&)>& say) {
  Server s(options, say);
  return s.run(stop, ready);
}

}  // namespace mdtc::stub_registry
