// libFuzzer target: the registry sync's decompressing reader. A zstd offer's
// bytes come from the network; whatever they are, the reader hands out
// decompressed pieces or sync.bad_encoding, never a crash and never more
// than its bounded buffer at a time. The first byte picks how the input is
// cut into pieces (as staged records cut a stream anywhere).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mdtc/registry_sync.h"

namespace {

class Pieces : public mdtc::ByteSource {
 public:
  Pieces(std::string_view data, std::size_t piece) : data_(data), piece_(piece) {}
  mdtc::Result<std::string_view> next() override {
    auto p = data_.substr(at_, piece_);
    at_ += p.size();
    return p;
  }
  mdtc::Status rewind() override {
    at_ = 0;
    return mdtc::Ok{};
  }

 private:
  std::string_view data_;
  std::size_t piece_, at_ = 0;
};

// Enough for every real seed; a bomb is cut off here, not followed.
constexpr uint64_t kMaxOut = uint64_t{64} << 20;

// Reads to the end (or kMaxOut); the bytes handed out, or -1 on an error.
int64_t drain(mdtc::ByteSource& s) {
  uint64_t out = 0;
  for (;;) {
    auto p = s.next();
    if (!p) {
      if (p.error().code != "sync.bad_encoding" || p.error().message.empty()) __builtin_trap();
      // An error stays: the reader never resumes past bad data.
      if (s.next().ok() || s.verify().ok()) __builtin_trap();
      return -1;
    }
    if (p->empty()) return static_cast<int64_t>(out);
    if (p->size() > (std::size_t{1} << 20)) __builtin_trap();
    out += p->size();
    if (out > kMaxOut) return -2;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0];
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  Pieces source(input, piece);
  auto reader = mdtc::bridge::zstd_decoding_source(source, "");
  const int64_t first = drain(*reader);
  if (first == -2) return 0;
  if (first >= 0 && !reader->verify().ok()) __builtin_trap();
  // Read again from the start: the same verdict, the same bytes.
  if (!reader->rewind().ok()) __builtin_trap();
  if (drain(*reader) != first) __builtin_trap();
  return 0;
}
