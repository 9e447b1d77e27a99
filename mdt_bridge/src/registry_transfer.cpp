#include "registry_transfer.h"

#include <algorithm>
#include <deque>

namespace mdtc::bridge {

namespace {

// The disk filled up under the transfer: what is staged goes, so that the
// outbox and the journal beside the cache get their room back; a partial
// file that cannot be finished is no use kept.
Status staging_failed(const Error& e, SyncStaging& staging) {
  if (e.code == "sync.no_space") staging.discard();
  else staging.close();
  return e;
}

}  // namespace

StagedFileId staged_id(const SyncMessage& offer) {
  // What is staged is what travels: an encoded file's stream, known by its
  // wire_sha256 and bound to the file it decodes to.
  const bool encoded = offer.encoding != kIdentityEncoding;
  return StagedFileId{offer.version, offer.mode, encoded ? offer.wire_sha256 : offer.sha256, offer.total,
                      offer.encoding, encoded ? offer.sha256 : std::string()};
}

uint64_t transfer_chunk(const SyncMessage& offer, const RegistrySyncOptions& opt) {
  return std::max<uint64_t>(
      1, std::min<uint64_t>({opt.chunk_bytes, offer.chunk_bytes ? offer.chunk_bytes : kMaxChunkBytes,
                             kMaxChunkBytes}));
}

Status fetch_staged(const SyncMessage& offer, const std::string& what,
                                   const RegistrySyncOptions& opt, RegistryChannel& channel,
                                   SyncStaging& staging, const TransferHooks& hooks, Poco::Logger& log) {
  auto resume = staging.begin(staged_id(offer));
  if (!resume) return staging_failed(resume.error(), staging);
  const uint64_t held = resume->held;
  hooks.count("transfers", 1);
  if (!resume->discarded.empty()) {
    hooks.count("staging_discarded", 1);
    hooks.warned(resume->discarded + "; the bytes held of " + what + " were discarded and it is fetched afresh");
  }
  if (resume->chunks_rejected > 0) {
    hooks.count("staging_chunks_rejected", resume->chunks_rejected);
    hooks.warned("a staged chunk of " + what + " failed authentication; fetching it again from byte " +
                 std::to_string(held));
  }
  if (held > 0) {
    hooks.count("transfers_resumed", 1);
    hooks.count("bytes_resumed", held);
    log.information("registry sync: resuming %s at byte %s of %s", what, std::to_string(held),
                    std::to_string(offer.total));
  }
  hooks.began(held);

  const uint64_t chunk = transfer_chunk(offer, opt);
  struct InFlight {
    std::string req;
    uint64_t offset, length;
  };
  std::deque<InFlight> in_flight;
  uint64_t next_ask = staging.size();
  while (staging.size() < offer.total) {
    while (static_cast<int>(in_flight.size()) < std::max(1, opt.window) && next_ask < offer.total) {
      SyncMessage f;
      f.type = "fetch";
      f.req = channel.new_req();
      f.version = offer.version;
      f.mode = offer.mode;
      f.sha256 = offer.sha256;
      f.encoding = offer.encoding;
      f.wire_sha256 = offer.wire_sha256;
      f.offset = next_ask;
      f.length = std::min(chunk, offer.total - next_ask);
      if (auto r = channel.send(f); !r) {
        staging.close();
        channel.reconnect_later();
        return r.error();
      }
      in_flight.push_back({f.req, f.offset, f.length});
      next_ask += f.length;
    }
    auto reply = channel.await([&](const std::string& req) {
      return std::any_of(in_flight.begin(), in_flight.end(), [&](const InFlight& i) { return i.req == req; });
    });
    if (!reply) {
      const uint64_t held_now = staging.size();
      staging.close();
      Error e = reply.error();
      if (e.code == "sync.timeout" && channel.past_overall_deadline()) {
        // The run's own limit (cache sync --timeout-s) ended a transfer the
        // registry was serving: "did not answer" would send fleet IT to
        // the network. What is held is kept to resume.
        e = make_error("sync.time_limit", "this run's time limit ran out during the transfer of " + what +
                                              " from registry " + opt.endpoint + ": " +
                                              std::to_string(held_now) + " of " + std::to_string(offer.total) +
                                              " bytes held (kept: the next sync resumes from there)");
      }
      channel.lost(e);
      return e;
    }
    const SyncMessage& m = reply->msg;
    if (m.type == "error" && m.code == "gone") {
      // The registry no longer has this file (a newer one replaced it):
      // ask again what to fetch.
      hooks.count("transfers_gone", 1);
      staging.discard();
      channel.reconnect_later();  // the other fetches' answers are of no use
      return make_error("sync.gone", what + " is gone from the registry " + opt.endpoint);
    }
    if (m.type == "error") {
      staging.close();
      channel.reconnect_later();
      return channel.refusal(m);
    }
    const InFlight expect = in_flight.front();
    const bool fits = m.type == "chunk" && m.req == expect.req && m.version == offer.version &&
                      m.mode == offer.mode && m.sha256 == offer.sha256 && m.total == offer.total &&
                      m.encoding == offer.encoding && m.wire_sha256 == offer.wire_sha256 &&
                      m.offset == expect.offset && reply->data.size() == expect.length;
    if (!fits) {
      hooks.count("dropped.bad_chunk", 1);
      staging.close();
      channel.reconnect_later();
      return make_error("sync.protocol", "registry " + opt.endpoint + " sent a " + m.type +
                                             " that does not answer the fetch at byte " +
                                             std::to_string(expect.offset) + " of " + what);
    }
    in_flight.pop_front();
    if (auto w = staging.append(m.offset, reply->data.to_string_view()); !w) {
      channel.reconnect_later();
      return staging_failed(w.error(), staging);
    }
    hooks.count("chunks", 1);
    hooks.count("bytes_fetched", reply->data.size());
    hooks.progressed(staging.size());
  }
  if (!in_flight.empty()) channel.reconnect_later();  // cannot happen: every fetch is inside total

  // Every byte is here, sealed. It is verified as it is read back into the
  // import (SyncStaging::reader), never as a whole in memory or in clear.
  return Ok{};
}

}  // namespace mdtc::bridge
