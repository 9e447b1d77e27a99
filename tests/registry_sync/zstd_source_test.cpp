// The decompressing reader of zstd registry files as plain values: pieces
// cut anywhere decode to the file, the hash is over what it hands out, and
// every kind of bad data is sync.bad_encoding, unless the compressed bytes
// themselves were not the ones sent (then their own verdict).
#include <gtest/gtest.h>
#include <zstd.h>

#include <string>

#include "mdtc/registry_sync.h"
#include "sync_staging.h"

namespace mdtc::bridge {
namespace {

// A ByteSource over memory, cut into pieces of `piece` bytes, whose
// verify() says what the test wants (the staging reader's wire-hash verdict).
class Pieces : public ByteSource {
 public:
  Pieces(std::string data, std::size_t piece, Status verdict = Ok{})
      : data_(std::move(data)), piece_(piece), verdict_(std::move(verdict)) {}
  Result<std::string_view> next() override {
    auto p = std::string_view(data_).substr(at_, piece_);
    at_ += p.size();
    return p;
  }
  Status rewind() override {
    at_ = 0;
    return Ok{};
  }
  Status verify() override { return verdict_; }
  std::size_t read() const { return at_; }

 private:
  std::string data_;
  std::size_t piece_, at_ = 0;
  Status verdict_;
};

std::string sample_text() {
  std::string s = R"({"type":"header","mode":"snapshot","version":1,"created":"2026-01-01T00:00:00Z"})" "\n";
  for (int i = 0; i < 20000; ++i)
    s += R"({"type":"premise","id":"P-)" + std::to_string(i) + R"(","address":")" + std::to_string(100 + i) +
         " MAPLE ST, Springfield IL\"}\n";
  return s;
}

std::string compress(const std::string& text, int level = 3) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  const std::size_t n = ZSTD_compress2(c, out.data(), out.size(), text.data(), text.size());
  ZSTD_freeCCtx(c);
  if (ZSTD_isError(n)) throw std::runtime_error(ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

struct ReadAll {
  std::string text;
  std::optional<Error> error;
  std::size_t largest_piece = 0;
};

ReadAll read_all(ByteSource& s) {
  ReadAll r;
  for (;;) {
    auto p = s.next();
    if (!p) {
      r.error = p.error();
      return r;
    }
    if (p->empty()) return r;
    r.largest_piece = std::max(r.largest_piece, p->size());
    r.text.append(*p);
  }
}

TEST(ZstdSource, PiecesCutAnywhereDecodeToTheFileAndItsHashIsOverWhatIsHandedOut) {
  const std::string text = sample_text();
  const std::string z = compress(text);
  ASSERT_LT(z.size() * 5, text.size()) << "the sample compresses";
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, z.size()}) {
    Pieces in(z, piece);
    auto reader = zstd_decoding_source(in, sha256_hex(text), text.size());
    auto r = read_all(*reader);
    ASSERT_FALSE(r.error) << piece << ": " << r.error->message;
    EXPECT_EQ(r.text, text) << piece;
    EXPECT_LE(r.largest_piece, ZSTD_DStreamOutSize()) << "memory is one output buffer, whatever the file";
    EXPECT_TRUE(reader->verify().ok()) << piece;
  }
}

TEST(ZstdSource, RewindReadsTheSameFileAgain) {
  const std::string text = sample_text();
  Pieces in(compress(text), 1000);
  auto reader = zstd_decoding_source(in, sha256_hex(text));
  ASSERT_EQ(read_all(*reader).text, text);
  ASSERT_TRUE(reader->verify().ok());
  ASSERT_TRUE(reader->rewind().ok());
  EXPECT_EQ(read_all(*reader).text, text);
  EXPECT_TRUE(reader->verify().ok());
}

TEST(ZstdSource, ADifferentFileFailsVerification) {
  const std::string text = sample_text();
  Pieces in(compress(text), 1000);
  auto reader = zstd_decoding_source(in, sha256_hex(text + "x"));
  ASSERT_FALSE(read_all(*reader).error);
  auto v = reader->verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, "sync.verify_failed");
}

TEST(ZstdSource, DataThatIsNotZstdIsBadEncoding) {
  const std::string text = sample_text();
  std::string damaged = compress(text);
  damaged[damaged.size() / 2] ^= 0x5a;
  const std::string cases[] = {text.substr(0, 5000), compress(text).substr(0, 3000), damaged, std::string()};
  for (const auto& bytes : cases) {
    Pieces in(bytes, 512);
    auto reader = zstd_decoding_source(in, sha256_hex(text));
    auto r = read_all(*reader);
    ASSERT_TRUE(r.error) << bytes.size();
    EXPECT_EQ(r.error->code, "sync.bad_encoding") << r.error->message;
    EXPECT_EQ(in.read(), bytes.size()) << "the rest was read, to know the bytes were the ones sent";
    EXPECT_FALSE(reader->next().ok()) << "an error stays";
    EXPECT_EQ(reader->verify().error().code, "sync.bad_encoding");
  }
}

TEST(ZstdSource, BadDataThatWasNotTheBytesSentIsATransferFault) {
  // A byte changed on the way: the wire hash says so, and that is what is
  // reported (fetch again), not bad data from the registry.
  std::string damaged = compress(sample_text());
  damaged[damaged.size() / 2] ^= 0x5a;
  Pieces in(damaged, 512, make_error("sync.verify_failed", "wire hash differs"));
  auto reader = zstd_decoding_source(in, "");
  auto r = read_all(*reader);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "sync.verify_failed");
}

TEST(ZstdSource, AWindowLargerThanTheBoundIsRefusedNotAllocated) {
  // A frame header asking for a 128 MiB window (log 27), then a raw block.
  const std::string frame("\x28\xb5\x2f\xfd\x00\x88\x29\x00\x00hello", 14);
  Pieces in(frame, 64);
  auto reader = zstd_decoding_source(in, "");
  auto r = read_all(*reader);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "sync.bad_encoding");
  // The same with a window within the bound decodes.
  std::string small = frame;
  small[5] = static_cast<char>((20 - 10) << 3);
  Pieces ok(small, 64);
  auto reader2 = zstd_decoding_source(ok, "");
  auto r2 = read_all(*reader2);
  ASSERT_FALSE(r2.error) << r2.error->message;
  EXPECT_EQ(r2.text, "hello");
}

TEST(ZstdSource, MoreThanTheOfferedSizeIsRefusedAsItHappens) {
  // A small stream that decompresses far beyond what the offer said: cut
  // off at the offered size, not followed.
  const std::string zeros(50 << 20, '\0');
  const std::string z = compress(zeros, 1);
  ASSERT_LT(z.size(), 64u << 10);
  Pieces in(z, 4096);
  auto reader = zstd_decoding_source(in, "", 1 << 20);
  auto r = read_all(*reader);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, "sync.bad_encoding");
  EXPECT_LE(r.text.size(), (1u << 20) + ZSTD_DStreamOutSize());
  // Fewer bytes than offered is bad too.
  Pieces in2(compress("short\n"), 4096);
  auto reader2 = zstd_decoding_source(in2, "", 100);
  EXPECT_EQ(read_all(*reader2).error->code, "sync.bad_encoding");
}

TEST(ZstdSource, ConcatenatedFramesAreOneFile) {
  const std::string a = "first part\n", b = "second part\n";
  Pieces in(compress(a) + compress(b), 5);
  auto reader = zstd_decoding_source(in, sha256_hex(a + b));
  auto r = read_all(*reader);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(r.text, a + b);
  EXPECT_TRUE(reader->verify().ok());
}

}  // namespace
}  // namespace mdtc::bridge
