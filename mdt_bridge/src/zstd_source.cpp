// The decompressing reader of a zstd-encoded registry file (docs/protocol.md,
// "Encodings"): compressed pieces in, the file as written out, one output
// buffer at a time, hashed as they go. Pure over its ByteSource: no files,
// no sockets, so it is fuzzed alone (tests/fuzz/fuzz_zstd_source.cpp).
#include <openssl/evp.h>
#include <zstd.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "mdtc/registry_sync.h"
#include "staging_cipher.h"

namespace mdtc::bridge {
namespace {

static_assert(kMaxZstdWindowBytes == (std::size_t{1} << 23), "window log below is 23");
constexpr int kMaxWindowLog = 23;

std::string hex(const unsigned char* p, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < n; ++i) {
    s += digits[p[i] >> 4];
    s += digits[p[i] & 15];
  }
  return s;
}

class ZstdSource : public ByteSource {
 public:
  ZstdSource(ByteSource& in, std::string sha256, uint64_t content_total)
      : in_(in), sha256_(std::move(sha256)), content_total_(content_total), dctx_(ZSTD_createDCtx()),
        hash_(EVP_MD_CTX_new()), out_(ZSTD_DStreamOutSize(), '\0') {
    if (!dctx_ || !hash_) throw std::bad_alloc();
    // Bounded memory whatever the frame header asks for: a frame wanting a
    // larger window is refused (frameParameter_windowTooLarge), not obeyed.
    ZSTD_DCtx_setParameter(dctx_, ZSTD_d_windowLogMax, kMaxWindowLog);
    restart();
  }
  ~ZstdSource() override {
    wipe_memory(out_.data(), out_.size());
    ZSTD_freeDCtx(dctx_);
    EVP_MD_CTX_free(hash_);
  }

  Result<std::string_view> next() override {
    if (failed_) return *failed_;
    // The previous piece was the registry's plaintext: gone once it is read.
    wipe_memory(out_.data(), out_.size());
    for (;;) {
      if (in_buf_.pos < in_buf_.size || flushing_) {
        ZSTD_outBuffer out{out_.data(), out_.size(), 0};
        const std::size_t r = ZSTD_decompressStream(dctx_, &out, &in_buf_);
        if (ZSTD_isError(r)) return refuse(std::string("not valid zstd (") + ZSTD_getErrorName(r) + ")");
        // 0: a frame ended and all it holds was handed out.
        frame_open_ = r != 0;
        // A full buffer may leave output inside the decoder with no input left.
        flushing_ = out.pos == out.size;
        if (out.pos == 0) continue;
        produced_ += out.pos;
        if (content_total_ && produced_ > content_total_)
          return refuse("decompresses to more than the " + std::to_string(content_total_) + " bytes offered");
        if (EVP_DigestUpdate(hash_, out_.data(), out.pos) != 1) return hash_failed();
        return std::string_view(out_.data(), out.pos);
      }
      if (ended_) return std::string_view();
      auto piece = in_.next();
      if (!piece) return fail(piece.error());
      if (piece->empty()) {
        ended_ = true;
        if (!seen_input_) return refuse("holds no zstd frame");
        if (frame_open_) return refuse("ends in the middle of a zstd frame");
        if (content_total_ && produced_ != content_total_)
          return refuse("decompresses to " + std::to_string(produced_) + " bytes, not the " +
                        std::to_string(content_total_) + " offered");
        return std::string_view();
      }
      seen_input_ = true;
      in_buf_ = ZSTD_inBuffer{piece->data(), piece->size(), 0};
    }
  }

  Status rewind() override {
    if (auto r = in_.rewind(); !r) return r;
    restart();
    return Ok{};
  }

  Status verify() override {
    if (failed_) return *failed_;
    if (!ended_)
      return make_error("sync.verify_failed", "the compressed file was not read to its end (" +
                                                  std::to_string(produced_) + " bytes decompressed)");
    if (auto v = in_.verify(); !v) return v;
    if (sha256_.empty()) return Ok{};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(hash_, md, &len) != 1) return hash_failed();
    const std::string got = hex(md, len);
    restart_hash();
    if (got != sha256_)
      return make_error("sync.verify_failed", "the decompressed file does not match its SHA-256 (" + got +
                                                  ", offered " + sha256_ + ")");
    return Ok{};
  }

 private:
  // Bad zstd may be the registry's (the data it serves is broken) or the
  // transfer's (a byte changed on the way, a staged record altered). The
  // compressed bytes' own verdict tells which: read them to the end and ask.
  Error refuse(const std::string& why) {
    const std::string where = "zstd data at decompressed byte " + std::to_string(produced_) + " " + why;
    if (!ended_) {
      for (;;) {
        auto piece = in_.next();
        if (!piece) return fail(piece.error());
        if (piece->empty()) break;
      }
      ended_ = true;
    }
    if (auto v = in_.verify(); !v) return fail(v.error());
    return fail(make_error("sync.bad_encoding", where));
  }
  Error fail(Error e) {
    failed_ = e;
    return e;
  }
  Error hash_failed() { return fail(make_error("sync.staging", "SHA-256 of the decompressed file failed")); }
  void restart_hash() {
    if (EVP_DigestInit_ex(hash_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 failed");
  }
  void restart() {
    ZSTD_DCtx_reset(dctx_, ZSTD_reset_session_only);
    in_buf_ = ZSTD_inBuffer{nullptr, 0, 0};
    produced_ = 0;
    frame_open_ = flushing_ = ended_ = seen_input_ = false;
    failed_.reset();
    restart_hash();
  }

  ByteSource& in_;
  const std::string sha256_;
  const uint64_t content_total_;
  ZSTD_DCtx* dctx_;
  EVP_MD_CTX* hash_;
  std::string out_;
  ZSTD_inBuffer in_buf_{nullptr, 0, 0};
  uint64_t produced_ = 0;
  bool frame_open_ = false, flushing_ = false, ended_ = false, seen_input_ = false;
  std::optional<Error> failed_;
};

}  // namespace

std::unique_ptr<ByteSource> zstd_decoding_source(ByteSource& compressed, std::string sha256,
                                                 uint64_t content_total) {
  return std::make_unique<ZstdSource>(compressed, std::move(sha256), content_total);
}

}  // namespace mdtc::bridge
