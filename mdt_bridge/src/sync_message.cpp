// Sync protocol v1 messages (docs/protocol.md, "Flag registry sync"): pure
// decoding and encoding of the JSON frame. Table-driven: each type names the
// fields it requires; unknown types and versions are refused, unknown fields
// ignored. Replies come from the network, so every field is checked for type
// and range before anything reads it.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <array>
#include <cctype>
#include <sstream>

#include "json_access.h"
#include "mdtc/registry_sync.h"

namespace mdtc::bridge {
namespace {

constexpr std::size_t kMaxReq = 64;
constexpr std::size_t kMaxUnit = 64;
constexpr std::size_t kMaxCode = 64;
constexpr std::size_t kMaxText = 1024;
// Far above any sane registry version or file, far below the 2^53 where a
// JSON number stops being exact.
constexpr int64_t kMaxVersion = int64_t{1} << 50;
constexpr uint64_t kMaxTotal = uint64_t{1} << 40;
// accept_encoding: room for encodings not yet invented, not for a list
// that would crowd the 4 KiB body.
constexpr std::size_t kMaxEncodings = 16;
constexpr std::size_t kMaxEncodingName = 32;

enum Field : unsigned {
  kReq = 1u << 0,
  kVersion = 1u << 1,
  kMode = 1u << 2,
  kSha = 1u << 3,
  kTotal = 1u << 4,
  kOffset = 1u << 5,
  kLength = 1u << 6,
  kCode = 1u << 7,
};

struct TypeRule {
  const char* type;
  unsigned required;
  unsigned carried;  // read by the decoder, written by the encoder; others are ignored
};

constexpr std::array<TypeRule, 6> kTypes{{
    {"sync", kReq, kReq},
    {"fetch", kReq | kVersion | kMode | kSha | kOffset | kLength,
     kReq | kVersion | kMode | kSha | kOffset | kLength},
    {"up_to_date", kReq | kVersion, kReq | kVersion},
    {"offer", kReq | kVersion | kMode | kSha | kTotal, kReq | kVersion | kMode | kSha | kTotal},
    {"chunk", kReq | kVersion | kMode | kSha | kTotal | kOffset,
     kReq | kVersion | kMode | kSha | kTotal | kOffset},
    // A registry may not know the request id of a request it could not read.
    {"error", kCode, kReq | kCode},
}};

const TypeRule* rule_for(std::string_view type) {
  for (const auto& r : kTypes)
    if (type == r.type) return &r;
  return nullptr;
}

Error bad(const std::string& code, const std::string& msg) { return make_error("sync." + code, msg); }

bool is_sha256_hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && (c < 'a' || c > 'f')) return false;
  return true;
}

// An encoding's name: lower-case letters, digits, '-', '_', '.'.
bool is_token(const std::string& s) {
  if (s.empty() || s.size() > kMaxEncodingName) return false;
  for (char c : s)
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '.')
      return false;
  return true;
}

bool printable(const std::string& s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

class Reader {
 public:
  Reader(const Poco::JSON::Object& o, const std::string& type) : o_(o), type_(type) {}

  Result<std::optional<std::string>> string(const char* key, std::size_t max, bool required) {
    const auto* v = json::find(o_, key);
    if (!v || v->isEmpty()) {
      if (required) return missing(key);
      return std::optional<std::string>();
    }
    auto s = json::as_string(*v);
    if (!s) return bad("bad_type", type_ + "." + key + ": expected a string");
    if (s->size() > max || !printable(*s))
      return bad("bad_value", type_ + "." + key + ": expected at most " + std::to_string(max) +
                                  " printable characters");
    return std::optional<std::string>(std::move(*s));
  }

  Result<std::optional<uint64_t>> uint(const char* key, uint64_t max, bool required) {
    const auto* v = json::find(o_, key);
    if (!v || v->isEmpty()) {
      if (required) return missing(key);
      return std::optional<uint64_t>();
    }
    if (!v->isInteger()) return bad("bad_type", type_ + "." + key + ": expected an integer");
    auto u = json::as_uint(*v);
    if (!u || *u > max)
      return bad("bad_value", type_ + "." + key + ": expected an integer from 0 to " + std::to_string(max));
    return std::optional<uint64_t>(*u);
  }

 private:
  Error missing(const char* key) { return bad("missing_field", type_ + ": " + key + " is required"); }
  const Poco::JSON::Object& o_;
  const std::string& type_;
};

}  // namespace

Result<SyncMessage> decode_sync_message(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes)
    return bad("too_large", "message of " + std::to_string(body.size()) + " bytes: expected at most " +
                                std::to_string(max_bytes));
  auto parsed = json::parse_object(body);
  if (!parsed) return bad("bad_json", parsed.error().message);
  const Poco::JSON::Object& o = *parsed.value();

  const auto* v = json::find(o, "v");
  if (!v) return bad("bad_version", "v is missing: expected 1");
  auto ver = json::as_int(*v);
  if (!ver || *ver != kSyncProtocolVersion)
    return bad("bad_version", "v = " + v->toString() + ": expected 1");

  const auto* t = json::find(o, "type");
  if (!t) return bad("missing_field", "type is required");
  auto type = json::as_string(*t);
  if (!type) return bad("bad_type", "type: expected a string");
  const TypeRule* rule = rule_for(*type);
  if (!rule) return bad("unknown_type", "type \"" + type->substr(0, 32) + "\" is not a sync message");

  SyncMessage m;
  m.type = *type;
  Reader r(o, m.type);
  const unsigned need = rule->required;
  const unsigned carried = rule->carried;

  auto req = r.string("req", kMaxReq, need & kReq);
  if (!req) return req.error();
  if (*req) m.req = std::move(**req);

  if (m.type == "sync") {
    auto unit = r.string("unit", kMaxUnit, false);
    if (!unit) return unit.error();
    if (*unit) m.unit = std::move(**unit);
    auto have = r.uint("have", kMaxVersion, false);
    if (!have) return have.error();
    if (*have) m.have = static_cast<int64_t>(**have);
    auto want = r.string("want", 16, false);
    if (!want) return want.error();
    if (*want) {
      if (**want != "next" && **want != "snapshot")
        return bad("bad_value", "sync.want = \"" + **want + "\": expected next or snapshot");
      m.want = std::move(**want);
    }
    if (const auto* acc = json::find(o, "accept_encoding"); acc && !acc->isEmpty()) {
      auto list = json::as_array(*acc);
      if (!list) return bad("bad_type", "sync.accept_encoding: expected an array of encoding names");
      if (list->size() > kMaxEncodings)
        return bad("bad_value", "sync.accept_encoding: expected at most " + std::to_string(kMaxEncodings) + " names");
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto name = json::as_string(list->get(static_cast<unsigned>(i)));
        if (!name) return bad("bad_type", "sync.accept_encoding: expected an array of encoding names");
        if (!is_token(*name))
          return bad("bad_value", "sync.accept_encoding: expected names of 1 to " + std::to_string(kMaxEncodingName) +
                                      " lower-case letters, digits, '-', '_' or '.'");
        m.accept_encoding.push_back(std::move(*name));
      }
    }
  }

  // Only the fields this type carries are read: a stray "version" on a
  // sync means nothing and must not turn into one.
  if (carried & kVersion) {
    auto version = r.uint("version", kMaxVersion, need & kVersion);
    if (!version) return version.error();
    if (*version) m.version = static_cast<int64_t>(**version);
  }
  if (carried & kMode) {
    auto mode = r.string("mode", 16, need & kMode);
    if (!mode) return mode.error();
    if (*mode) {
      if (**mode != "snapshot" && **mode != "delta")
        return bad("bad_value", m.type + ".mode = \"" + **mode + "\": expected snapshot or delta");
      m.mode = std::move(**mode);
    }
  }
  if (carried & kSha) {
    auto sha = r.string("sha256", 64, need & kSha);
    if (!sha) return sha.error();
    if (*sha) {
      if (!is_sha256_hex(**sha))
        return bad("bad_value", m.type + ".sha256: expected 64 lower-case hex digits");
      m.sha256 = std::move(**sha);
    }
  }
  if (carried & kTotal) {
    auto total = r.uint("total", kMaxTotal, need & kTotal);
    if (!total) return total.error();
    if (*total) m.total = **total;
  }
  if (carried & kOffset) {
    auto offset = r.uint("offset", kMaxTotal, need & kOffset);
    if (!offset) return offset.error();
    if (*offset) m.offset = **offset;
  }
  if (carried & kLength) {
    auto length = r.uint("length", kMaxChunkBytes, need & kLength);
    if (!length) return length.error();
    if (*length) {
      if (**length == 0)
        return bad("bad_value", m.type + ".length: expected 1 to " + std::to_string(kMaxChunkBytes));
      m.length = **length;
    }
  }

  if (m.type == "offer") {
    // Absent means unsaid; a chunk carries at least one byte, so 0 says
    // nothing a registry can mean (no chunk at all? no limit?) and is
    // refused as any value out of range, as fetch.length = 0 is.
    auto cb = r.uint("chunk_bytes", kMaxChunkBytes, false);
    if (!cb) return cb.error();
    if (*cb) {
      if (**cb == 0)
        return bad("bad_value", "offer.chunk_bytes: expected 1 to " + std::to_string(kMaxChunkBytes));
      m.chunk_bytes = **cb;
    }
  }
  // The file's encoding on the wire; absent (every registry and unit from
  // before compressed transfer) is identity.
  if (m.type == "offer" || m.type == "fetch" || m.type == "chunk") {
    auto enc = r.string("encoding", kMaxEncodingName, false);
    if (!enc) return enc.error();
    if (*enc) {
      if (!is_token(**enc))
        return bad("bad_value", m.type + ".encoding: expected 1 to " + std::to_string(kMaxEncodingName) +
                                    " lower-case letters, digits, '-', '_' or '.'");
      m.encoding = std::move(**enc);
    }
    if (m.encoding != kIdentityEncoding) {
      auto wire = r.string("wire_sha256", 64, true);
      if (!wire) return wire.error();
      if (!is_sha256_hex(**wire))
        return bad("bad_value", m.type + ".wire_sha256: expected 64 lower-case hex digits");
      m.wire_sha256 = std::move(**wire);
      if (m.type == "offer") {
        auto content = r.uint("content_total", kMaxTotal, false);
        if (!content) return content.error();
        if (*content) m.content_total = **content;
      }
    }
  }
  if (m.type == "chunk" && m.offset > m.total)
    return bad("bad_value", "chunk.offset " + std::to_string(m.offset) + " is past total " + std::to_string(m.total));

  if (carried & kCode) {
    auto code = r.string("code", kMaxCode, need & kCode);
    if (!code) return code.error();
    if (*code) m.code = std::move(**code);
    auto message = r.string("message", kMaxText, false);
    if (!message) return message.error();
    if (*message) m.message = std::move(**message);
  }
  return m;
}

std::string encode_sync_message(const SyncMessage& m) {
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("v", kSyncProtocolVersion);
  o.set("type", m.type);
  const TypeRule* rule = rule_for(m.type);
  const unsigned fields = rule ? rule->carried : kReq;
  if (fields & kReq) o.set("req", m.req);
  if (m.type == "sync") {
    if (!m.unit.empty()) o.set("unit", m.unit);
    if (m.have) o.set("have", *m.have);
    o.set("want", m.want);
    if (!m.accept_encoding.empty()) {
      Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
      for (const auto& e : m.accept_encoding) list->add(e);
      o.set("accept_encoding", list);
    }
  }
  if (fields & kVersion) o.set("version", m.version);
  if (fields & kMode) o.set("mode", m.mode);
  if (fields & kSha) o.set("sha256", m.sha256);
  if (fields & kTotal) o.set("total", m.total);
  if (fields & kOffset) o.set("offset", m.offset);
  if (fields & kLength) o.set("length", m.length);
  if (m.type == "offer" && m.chunk_bytes) o.set("chunk_bytes", m.chunk_bytes);
  // Identity is said by saying nothing, so what a unit or registry from
  // before compressed transfer reads is exactly what it always read.
  if ((m.type == "offer" || m.type == "fetch" || m.type == "chunk") && m.encoding != kIdentityEncoding) {
    o.set("encoding", m.encoding);
    o.set("wire_sha256", m.wire_sha256);
    if (m.type == "offer" && m.content_total) o.set("content_total", m.content_total);
  }
  if (fields & kCode) {
    o.set("code", m.code);
    if (!m.message.empty()) o.set("message", m.message);
  }
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace mdtc::bridge
