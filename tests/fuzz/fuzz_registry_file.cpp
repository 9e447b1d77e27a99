// libFuzzer target: a whole registry export through the pure completeness
// checks. Any input comes back framed or refused with a code, never a crash;
// and whatever the writer completes, the checker accepts as it is, with the
// header's counts equal to the trailer's, and completing it again changes
// nothing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mdtc/registry_line.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool legacy : {false, true}) {
    auto f = mdtc::cache::frame_registry_file(text, "fuzz", legacy);
    if (!f.ok() && (f.error().code.empty() || f.error().message.empty())) __builtin_trap();
    if (f.ok() && f->body.size() > text.size()) __builtin_trap();
  }
  auto done = mdtc::cache::complete_registry_file(text);
  if (!done.ok()) {
    if (done.error().code.empty()) __builtin_trap();
    return 0;
  }
  auto f = mdtc::cache::frame_registry_file(*done, "fuzz", false);
  if (!f.ok() || !f->header || !f->trailer || !f->header->counts) __builtin_trap();
  if (*f->header->counts != f->trailer->counts) __builtin_trap();
  auto again = mdtc::cache::complete_registry_file(*done);
  if (!again.ok() || *again != *done) __builtin_trap();
  return 0;
}
