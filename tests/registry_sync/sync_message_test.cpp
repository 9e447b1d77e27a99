// Sync protocol v1 messages as plain values: every type round-trips, and
// every way a reply can be wrong is refused with its own code.
#include <gtest/gtest.h>

#include <string>

#include "mdtc/registry_sync.h"

namespace mdtc::bridge {
namespace {

const std::string kSha(64, 'a');

std::string code_of(const std::string& body) {
  auto r = decode_sync_message(body);
  return r ? "ok" : r.error().code;
}

TEST(SyncMessage, EveryTypeRoundTrips) {
  SyncMessage sync, fetch, offer, chunk, up, err;
  sync.type = "sync", sync.req = "1", sync.unit = "2A31", sync.have = 7, sync.want = "snapshot";
  fetch.type = "fetch", fetch.req = "2", fetch.version = 8, fetch.mode = "delta", fetch.sha256 = kSha;
  fetch.offset = 65536, fetch.length = 4096;
  offer.type = "offer", offer.req = "3", offer.version = 8, offer.mode = "delta", offer.sha256 = kSha;
  offer.total = 123456, offer.chunk_bytes = 262144;
  chunk.type = "chunk", chunk.req = "4", chunk.version = 8, chunk.mode = "delta", chunk.sha256 = kSha;
  chunk.total = 123456, chunk.offset = 65536;
  up.type = "up_to_date", up.req = "5", up.version = 8;
  err.type = "error", err.req = "6", err.code = "gone", err.message = "replaced by version 9";
  for (const auto& m : {sync, fetch, offer, chunk, up, err}) {
    auto back = decode_sync_message(encode_sync_message(m));
    ASSERT_TRUE(back.ok()) << m.type << ": " << back.error().message;
    EXPECT_EQ(back->type, m.type);
    EXPECT_EQ(back->req, m.req);
    EXPECT_EQ(back->have, m.have);
    EXPECT_EQ(back->version, m.version);
    EXPECT_EQ(back->mode, m.mode);
    EXPECT_EQ(back->sha256, m.sha256);
    EXPECT_EQ(back->total, m.total);
    EXPECT_EQ(back->offset, m.offset);
    EXPECT_EQ(back->length, m.length);
    EXPECT_EQ(back->chunk_bytes, m.chunk_bytes);
    EXPECT_EQ(back->code, m.code);
    EXPECT_EQ(back->message, m.message);
  }
}

TEST(SyncMessage, EncodedMessagesCarryVersionOne) {
  SyncMessage m;
  m.type = "up_to_date";
  m.req = "9";
  m.version = 3;
  const auto text = encode_sync_message(m);
  EXPECT_EQ(text, R"({"v":1,"type":"up_to_date","req":"9","version":3})");
}

TEST(SyncMessage, SyncWithoutHaveMeansNothingHeld) {
  auto m = decode_sync_message(R"({"v":1,"type":"sync","req":"1"})");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(m->have.has_value());
  EXPECT_EQ(m->want, "next");
}

TEST(SyncMessage, UnknownFieldsAreIgnored) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":"1","version":2,"note":"new in v1.1","x":[1,{}]})"), "ok");
}

TEST(SyncMessage, WrongVersionIsRefused) {
  EXPECT_EQ(code_of(R"({"v":2,"type":"up_to_date","req":"1","version":2})"), "sync.bad_version");
  EXPECT_EQ(code_of(R"({"type":"up_to_date","req":"1","version":2})"), "sync.bad_version");
  EXPECT_EQ(code_of(R"({"v":"1","type":"up_to_date","req":"1","version":2})"), "sync.bad_version");
}

TEST(SyncMessage, UnknownTypeIsRefused) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"push","req":"1"})"), "sync.unknown_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":7,"req":"1"})"), "sync.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"req":"1"})"), "sync.missing_field");
}

TEST(SyncMessage, MissingRequiredFieldsAreNamed) {
  auto r = decode_sync_message(R"({"v":1,"type":"offer","req":"1","version":2,"mode":"delta","sha256":")" + kSha +
                               R"("})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "sync.missing_field");
  EXPECT_NE(r.error().message.find("total"), std::string::npos) << r.error().message;
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","version":2})"), "sync.missing_field");
}

TEST(SyncMessage, ValuesOutOfRangeAreRefused) {
  const std::string head = R"({"v":1,"type":"chunk","req":"1","version":2,"mode":"delta",)";
  EXPECT_EQ(code_of(head + R"("sha256":"ABC","total":10,"offset":0})"), "sync.bad_value");
  EXPECT_EQ(code_of(head + R"("sha256":")" + std::string(64, 'G') + R"(","total":10,"offset":0})"),
            "sync.bad_value");
  EXPECT_EQ(code_of(head + R"("sha256":")" + kSha + R"(","total":10,"offset":11})"), "sync.bad_value");
  EXPECT_EQ(code_of(head + R"("sha256":")" + kSha + R"(","total":-1,"offset":0})"), "sync.bad_value");
  EXPECT_EQ(code_of(head + R"("sha256":")" + kSha + R"(","total":1.5,"offset":0})"), "sync.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"chunk","req":"1","version":2,"mode":"full","sha256":")" + kSha +
                    R"(","total":10,"offset":0})"),
            "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"fetch","req":"1","version":2,"mode":"delta","sha256":")" + kSha +
                    R"(","offset":0,"length":0})"),
            "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"fetch","req":"1","version":2,"mode":"delta","sha256":")" + kSha +
                    R"(","offset":0,"length":)" + std::to_string(kMaxChunkBytes + 1) + "}"),
            "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"sync","req":"1","want":"everything"})"), "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":")" + std::string(65, 'r') + R"(","version":1})"),
            "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"error","req":"1","code":"gone\u0007"})"), "sync.bad_value");
}

// Found from outside: "chunk_bytes":0 was taken as if it were absent. A
// chunk carries at least one byte, so no registry can mean it; the offer is
// refused as any value out of range. Absent still means unsaid.
TEST(SyncMessage, AnOfferOfZeroByteChunksIsRefusedAndAbsentMeansUnsaid) {
  const std::string head = R"({"v":1,"type":"offer","req":"1","version":2,"mode":"delta","total":10,"sha256":")" +
                           kSha + R"(")";
  auto zero = decode_sync_message(head + R"(,"chunk_bytes":0})");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().code, "sync.bad_value");
  EXPECT_NE(zero.error().message.find("offer.chunk_bytes: expected 1 to " + std::to_string(kMaxChunkBytes)),
            std::string::npos)
      << zero.error().message;
  EXPECT_EQ(code_of(head + R"(,"chunk_bytes":)" + std::to_string(kMaxChunkBytes + 1) + "}"), "sync.bad_value");
  EXPECT_EQ(code_of(head + R"(,"chunk_bytes":-1})"), "sync.bad_value");
  for (const uint64_t n : {uint64_t{1}, uint64_t{kMaxChunkBytes}}) {
    auto ok = decode_sync_message(head + R"(,"chunk_bytes":)" + std::to_string(n) + "}");
    ASSERT_TRUE(ok.ok()) << n << ": " << ok.error().message;
    EXPECT_EQ(ok->chunk_bytes, n);
  }
  auto unsaid = decode_sync_message(head + "}");
  ASSERT_TRUE(unsaid.ok()) << unsaid.error().message;
  EXPECT_EQ(unsaid->chunk_bytes, 0u);
}

// Past 2^64 the JSON parser wrapped: 2^64+1 read as 1, a version that passed
// every range check (an "up to date" that confirmed a cache it never saw).
TEST(SyncMessage, AnIntegerPastEveryFieldsRangeIsRefusedNotWrapped) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":"1","version":18446744073709551617})"), "sync.bad_json");
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":"1","version":100000000000000000000})"), "sync.bad_json");
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":"1","version":-18446744073709551617})"), "sync.bad_json");
  // Digits in a string, or after a decimal point, are no integer.
  auto ok = decode_sync_message(R"({"v":1,"type":"error","req":"123456789012345678901234","code":"gone"})");
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  // 2^64-1 itself is read, and refused by the field's own range.
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":"1","version":18446744073709551615})"), "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"up_to_date","req":"1","version":1.000000000000000000001})"), "sync.bad_type");
}

TEST(SyncMessage, MalformedAndOversizedTextIsRefused) {
  EXPECT_EQ(code_of("not json"), "sync.bad_json");
  EXPECT_EQ(code_of("[1,2]"), "sync.bad_json");
  EXPECT_EQ(code_of(std::string(200, '[')), "sync.bad_json");
  EXPECT_EQ(code_of(std::string(kMaxSyncMessageBytes + 1, ' ')), "sync.too_large");
}

TEST(SyncMessage, ErrorWithoutRequestIdIsAccepted) {
  auto m = decode_sync_message(R"({"v":1,"type":"error","code":"bad_request","message":"unreadable"})");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->req, "");
  EXPECT_EQ(m->code, "bad_request");
}

}  // namespace
}  // namespace mdtc::bridge

namespace mdtc::bridge {
namespace {

// docs/protocol.md, "Encodings".
TEST(SyncMessageEncoding, AcceptEncodingAndAZstdOfferRoundTrip) {
  SyncMessage sync, offer, fetch, chunk;
  sync.type = "sync", sync.req = "1", sync.accept_encoding = {"zstd", "identity"};
  offer.type = "offer", offer.req = "1", offer.version = 4, offer.mode = "snapshot", offer.sha256 = kSha;
  offer.total = 1000, offer.encoding = "zstd", offer.wire_sha256 = std::string(64, 'b'), offer.content_total = 9000;
  fetch = offer, fetch.type = "fetch", fetch.offset = 0, fetch.length = 1000, fetch.content_total = 0;
  chunk = offer, chunk.type = "chunk", chunk.content_total = 0;
  for (const auto& m : {sync, offer, fetch, chunk}) {
    auto back = decode_sync_message(encode_sync_message(m));
    ASSERT_TRUE(back.ok()) << m.type << ": " << back.error().message;
    EXPECT_EQ(back->accept_encoding, m.accept_encoding) << m.type;
    EXPECT_EQ(back->encoding, m.encoding) << m.type;
    EXPECT_EQ(back->wire_sha256, m.wire_sha256) << m.type;
    EXPECT_EQ(back->content_total, m.content_total) << m.type;
  }
}

TEST(SyncMessageEncoding, IdentityIsSaidBySayingNothing) {
  // What an old registry or plugin reads is exactly what it always read.
  SyncMessage offer;
  offer.type = "offer", offer.req = "1", offer.version = 4, offer.mode = "snapshot", offer.sha256 = kSha;
  offer.total = 10;
  const auto text = encode_sync_message(offer);
  EXPECT_EQ(text.find("encoding"), std::string::npos) << text;
  EXPECT_EQ(text.find("wire_sha256"), std::string::npos) << text;
  SyncMessage sync;
  sync.type = "sync", sync.req = "1";
  EXPECT_EQ(encode_sync_message(sync).find("accept_encoding"), std::string::npos);
  auto back = decode_sync_message(text);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->encoding, "identity");
  auto old_sync = decode_sync_message(R"({"v":1,"type":"sync","req":"1","have":3})");
  ASSERT_TRUE(old_sync.ok());
  EXPECT_TRUE(old_sync->accept_encoding.empty());
}

TEST(SyncMessageEncoding, AnEncodedFileWithoutItsWireHashIsRefused) {
  const std::string base = R"({"v":1,"type":"offer","req":"1","version":4,"mode":"snapshot","total":10,"sha256":")" +
                           kSha + R"(","encoding":"zstd")";
  EXPECT_EQ(code_of(base + "}"), "sync.missing_field");
  EXPECT_EQ(code_of(base + R"(,"wire_sha256":"ABC"})"), "sync.bad_value");
  EXPECT_EQ(code_of(base + R"(,"wire_sha256":")" + kSha + R"("})"), "ok");
}

TEST(SyncMessageEncoding, BadEncodingNamesAreRefused) {
  EXPECT_EQ(code_of(R"({"v":1,"type":"sync","req":"1","accept_encoding":"zstd"})"), "sync.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"sync","req":"1","accept_encoding":[1]})"), "sync.bad_type");
  EXPECT_EQ(code_of(R"({"v":1,"type":"sync","req":"1","accept_encoding":["ZSTD"]})"), "sync.bad_value");
  EXPECT_EQ(code_of(R"({"v":1,"type":"sync","req":"1","accept_encoding":[""]})"), "sync.bad_value");
  std::string many = R"({"v":1,"type":"sync","req":"1","accept_encoding":[)";
  for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + "\"e" + std::to_string(i) + "\"";
  EXPECT_EQ(code_of(many + "]}"), "sync.bad_value");
  // An encoding this unit never heard of decodes: whether to take it is the
  // sync's decision, not the codec's.
  EXPECT_EQ(code_of(R"({"v":1,"type":"sync","req":"1","accept_encoding":["br","zstd","identity"]})"), "ok");
}

}  // namespace
}  // namespace mdtc::bridge
