// The stub registry's sync service: a ZeroMQ ROUTER speaking sync protocol
// v1 (docs/protocol.md, "Flag registry sync") over the files of a
// RegistryCatalog, with the faults the tests need.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace mdtc::stub_registry {

struct ServerOptions {
  std::string endpoint = "tcp://127.0.0.1:5560";
  std::string dir;
  std::string curve_secret_key;  // Z85; empty = no CURVE
  uint32_t chunk_bytes = 256 << 10;  // the largest chunk sent
  // Fault injection: stop serving (exit code 3) once this many chunks have
  // been sent, as a registry killed mid-transfer; 0 = never.
  uint64_t stop_after_chunks = 0;
  // Fault injection: flip a byte in the Nth chunk sent (1-based); 0 = never.
  uint64_t corrupt_chunk = 0;
  // Fault injection: flip a byte in the first chunk of every transfer, so
  // the bytes served never match the SHA-256 offered (a registry whose
  // stored file changed after it was hashed).
  bool corrupt_always = false;
  // Behave as a registry from before compressed transfer: accept_encoding
  // is ignored and every file goes as written.
  bool identity_only = false;
  int zstd_level = 3;  // kDefaultZstdLevel
  // Fault injection: the zstd streams served are damaged before their
  // SHA-256 is taken, so they arrive intact and do not decompress.
  bool corrupt_zstd = false;
  // Fault injection: the first unit that asks for the next file while the
  // delta after the one it needs exists is offered that one instead, once.
  bool delta_ahead_once = false;
  // Fault injection: every fetch is answered `gone` while the file goes on
  // being offered (a registry whose file store and catalog disagree).
  bool gone_always = false;
  // Fault injection: each chunk is sent this long after its fetch arrives
  // (a registry on a slow link that answers steadily); 0 = at once.
  uint32_t chunk_delay_ms = 0;
};

// Binds, calls `ready` once bound, and serves until `stop` is set (returns
// 0) or a fault stops it (returns 3). Returns 1 when it cannot bind.
// `say` gets one line per notable event (offers, up-to-date answers,
// refusals), never one per chunk.
int serve(const ServerOptions& options, const std::atomic<bool>& stop, const std::function<void()>& ready,
          const std::function<void(const std::string&)>& say);

}  // namespace mdtc::stub_registry
