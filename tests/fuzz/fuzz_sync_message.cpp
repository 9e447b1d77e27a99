// Fuzzes the flag registry sync message decoder: every reply a registry (or
// anyone on its address) can send goes through decode_sync_message() before
// the client reads a field. A decoded message must survive re-encoding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "mdtc/registry_sync.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto r = mdtc::bridge::decode_sync_message(input);
  if (!r) {
    volatile std::size_t n = r.error().code.size() + r.error().message.size();
    (void)n;
    return 0;
  }
  // What the client relies on after a successful decode.
  if (r->type == "chunk" && r->offset > r->total) std::abort();
  if (!r->sha256.empty() && r->sha256.size() != 64) std::abort();
  if (r->length > mdtc::bridge::kMaxChunkBytes) std::abort();
  auto again = mdtc::bridge::decode_sync_message(mdtc::bridge::encode_sync_message(*r));
  if (!again || again->type != r->type || again->req != r->req || again->version != r->version) std::abort();
  // The encoding survives the trip, and an encoded file always names the
  // hash of its bytes on the wire.
  if (again->encoding != r->encoding || again->wire_sha256 != r->wire_sha256 ||
      again->accept_encoding != r->accept_encoding)
    std::abort();
  if (r->encoding != "identity" && r->wire_sha256.size() != 64) std::abort();
  return 0;
}
