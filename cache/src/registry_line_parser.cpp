// Registry export v1, one JSON object per line. Strict about what the
// contract names (types, enums, dates, coordinates), tolerant of fields it
// does not name, so a registry can add fields without breaking old plugins.
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "flat_json.h"
#include "place_alias.h"
#include "mdtc/registry_line.h"

namespace mdtc::cache {
namespace {

constexpr std::size_t kMaxLine = kMaxRegistryLineBytes;
constexpr std::size_t kMaxId = 128;
constexpr std::size_t kMaxText = 8 * 1024;

using Obj = Poco::JSON::Object::Ptr;

Error bad(const std::string& code, const std::string& msg) { return make_error("registry." + code, msg); }

// Reads an optional string field; a present field of another type is an error.
Result<std::string> str(const Obj& o, const std::string& key, bool required, std::size_t max = kMaxText) {
  if (!o->has(key) || o->get(key).isEmpty()) {
    if (required) return bad("missing_field", "missing \"" + key + "\"");
    return std::string();
  }
  const Poco::Dynamic::Var& v = o->get(key);
  if (!v.isString()) return bad("bad_field", "\"" + key + "\": expected a string");
  std::string s = v.extract<std::string>();
  if (s.size() > max)
    return bad("bad_field", "\"" + key + "\": " + std::to_string(s.size()) + " bytes, expected at most " +
                                std::to_string(max));
  if (required && s.empty()) return bad("missing_field", "\"" + key + "\" is empty");
  return s;
}

// --- The same primitives over a FlatObject (the fast path). An error here
// never reaches the caller: the line is parsed again by Poco, whose answer
// (and message) stands. So these only have to agree with the Poco versions
// on what they accept and the value they return.
using Flat = const FlatObject*;

Result<std::string> str(Flat o, const std::string& key, bool required, std::size_t max = kMaxText) {
  const FlatValue* v = o->find(key);
  if (!v || v->kind == FlatValue::Kind::null) {
    if (required) return bad("missing_field", key);
    return std::string();
  }
  if (v->kind != FlatValue::Kind::string || v->text.size() > max || (required && v->text.empty()))
    return bad("bad_field", key);
  return std::string(v->text);
}

Result<std::optional<double>> number(Flat o, const std::string& key, double lo, double hi) {
  const FlatValue* v = o->find(key);
  if (!v || v->kind == FlatValue::Kind::null) return std::optional<double>();
  double d = 0;
  if (v->kind == FlatValue::Kind::integer) d = static_cast<double>(v->integer);
  else if (v->kind == FlatValue::Kind::real) d = v->real;
  else return bad("bad_field", key);
  if (!std::isfinite(d) || d < lo || d > hi) return bad("bad_field", key);
  return std::optional<double>(d);
}

// A non-negative integer field; absent (or null) = std::nullopt.
Result<std::optional<int64_t>> count_field(Flat o, const std::string& key) {
  const FlatValue* v = o->find(key);
  if (!v || v->kind == FlatValue::Kind::null) return std::optional<int64_t>();
  if (v->kind != FlatValue::Kind::integer || v->integer < 0) return bad("bad_field", key);
  return std::optional<int64_t>(v->integer);
}

bool has(Flat o, const std::string& key) {
  const FlatValue* v = o->find(key);
  return v && v->kind != FlatValue::Kind::null;
}

// Absent (or null) civic = std::nullopt; present but not an object = error.
Result<std::optional<Flat>> civic_field(Flat o) {
  const FlatValue* v = o->find("civic");
  if (!v || v->kind == FlatValue::Kind::null) return std::optional<Flat>();
  if (v->kind != FlatValue::Kind::object) return bad("bad_field", "civic");
  return std::optional<Flat>(v->object);
}

// FlatJson reads no arrays, so a line with aliases never gets here; a null
// is no aliases, as on the general path.
Result<std::vector<std::string>> aliases_field(Flat o) {
  const FlatValue* v = o->find("aliases");
  if (!v || v->kind == FlatValue::Kind::null) return std::vector<std::string>();
  return bad("bad_field", "aliases");
}

// --- Poco primitives (the general path), as they always were.
Result<std::optional<int64_t>> count_field(const Obj& o, const std::string& key) {
  if (!o->has(key) || o->get(key).isEmpty()) return std::optional<int64_t>();
  const auto& v = o->get(key);
  if (!v.isInteger()) return bad("bad_field", "\"" + key + "\": expected an integer");
  int64_t n = 0;
  try {
    n = v.convert<int64_t>();
  } catch (...) {
    return bad("bad_field", "\"" + key + "\": out of range");
  }
  if (n < 0) return bad("bad_field", "\"" + key + "\" = " + std::to_string(n) + ": expected >= 0");
  return std::optional<int64_t>(n);
}

bool has(const Obj& o, const std::string& key) { return o->has(key) && !o->get(key).isEmpty(); }

Result<std::optional<Obj>> civic_field(const Obj& o) {
  if (!o->has("civic") || o->get("civic").isEmpty()) return std::optional<Obj>();
  Obj civic = o->getObject("civic");
  if (civic.isNull()) return bad("bad_field", "\"civic\": expected an object");
  return std::optional<Obj>(civic);
}

constexpr std::size_t kMaxAliases = 32;
constexpr std::size_t kMaxAlias = 128;

Result<std::vector<std::string>> aliases_field(const Obj& o) {
  std::vector<std::string> out;
  if (!o->has("aliases") || o->get("aliases").isEmpty()) return out;
  const Poco::JSON::Array::Ptr list = o->getArray("aliases");
  if (list.isNull()) return bad("bad_field", "\"aliases\": expected an array of strings");
  if (list->size() > kMaxAliases)
    return bad("bad_field", "\"aliases\": " + std::to_string(list->size()) + " names, expected at most " +
                                std::to_string(kMaxAliases));
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Poco::Dynamic::Var v = list->get(static_cast<unsigned>(i));
    const std::string at = "\"aliases\"[" + std::to_string(i) + "]";
    if (!v.isString()) return bad("bad_field", at + ": expected a string");
    const std::string text = v.extract<std::string>();
    if (text.size() > kMaxAlias)
      return bad("bad_field", at + ": " + std::to_string(text.size()) + " bytes, expected at most " +
                                  std::to_string(kMaxAlias));
    std::string key = alias_key(text);
    if (key.empty()) return bad("bad_field", at + ": expected a name with letters or digits");
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(std::move(key));
  }
  return out;
}

// --- Records, over either kind of object.
template <class O>
Result<std::string> id_field(const O& o, const std::string& key, bool required) {
  auto s = str(o, key, required, kMaxId);
  if (!s) return s;
  for (unsigned char c : *s)
    if (c < 0x20 || c == 0x7f) return bad("bad_field", "\"" + key + "\": control character in id");
  return s;
}

Result<std::optional<double>> number(const Obj& o, const std::string& key, double lo, double hi) {
  if (!o->has(key) || o->get(key).isEmpty()) return std::optional<double>();
  const Poco::Dynamic::Var& v = o->get(key);
  if (!v.isNumeric()) return bad("bad_field", "\"" + key + "\": expected a number");
  double d = 0;
  try {
    d = v.convert<double>();
  } catch (...) {
    return bad("bad_field", "\"" + key + "\": not a number");
  }
  if (!std::isfinite(d) || d < lo || d > hi)
    return bad("bad_field", "\"" + key + "\" = " + v.toString() + ": expected " + std::to_string(lo) + " to " +
                                std::to_string(hi));
  return std::optional<double>(d);
}

// Whether the field is there with a value (null reads as absent).
bool given(const Obj& o, const std::string& key) { return o->has(key) && !o->get(key).isEmpty(); }
bool given(Flat o, const std::string& key) {
  const FlatValue* v = o->find(key);
  return v && v->kind != FlatValue::Kind::null;
}

template <class O>
Result<std::string> date_field(const O& o, const std::string& key) {
  auto s = str(o, key, false, 10);
  if (!s) return bad("bad_field", "\"" + key + "\": expected a date YYYY-MM-DD");
  // Found from outside: "expires":"" was read as "never expires".
  if (s->empty() && given(o, key))
    return bad("bad_field", "\"" + key + "\" is empty: expected a date YYYY-MM-DD, or no field for none");
  if (!s->empty() && !is_iso_date(*s)) return bad("bad_field", "\"" + key + "\" = \"" + *s + "\": expected a date YYYY-MM-DD");
  return s;
}

// The five counts of a header or trailer; each is required once one is given.
template <class O>
Result<RecordCounts> counts_fields(const O& o) {
  RecordCounts c;
  const std::pair<const char*, int64_t*> fields[] = {{"premises", &c.premises}, {"subjects", &c.subjects},
                                                     {"flags", &c.flags}, {"history", &c.history},
                                                     {"deletes", &c.deletes}};
  for (const auto& [key, out] : fields) {
    auto n = count_field(o, key);
    if (!n) return n.error();
    if (!*n) return bad("missing_field", std::string("missing \"") + key + "\" (a record count)");
    *out = **n;
  }
  return c;
}

template <class O>
Result<RegistryRecord> header(const O& o) {
  HeaderRecord h;
  auto mode = str(o, "mode", true, 16);
  if (!mode) return mode.error();
  if (*mode != "snapshot" && *mode != "delta")
    return bad("bad_field", "\"mode\" = \"" + *mode + "\": expected snapshot or delta");
  h.mode = *mode;
  auto version = count_field(o, "version");
  if (!version) return version.error();
  h.version = version->value_or(0);
  auto created = str(o, "created", false, 64);
  if (!created) return created.error();
  h.created = *created;
  auto base = count_field(o, "base");
  if (!base) return base.error();
  h.base = *base;
  if (has(o, "flags")) {
    auto counts = counts_fields(o);
    if (!counts) return counts.error();
    h.counts = *counts;
  }
  return RegistryRecord(h);
}

template <class O>
Result<RegistryRecord> trailer(const O& o) {
  TrailerRecord t;
  auto counts = counts_fields(o);
  if (!counts) return counts.error();
  t.counts = *counts;
  auto sha = str(o, "sha256", true, 64);
  if (!sha) return sha.error();
  if (sha->size() != 64 || sha->find_first_not_of("0123456789abcdef") != std::string::npos)
    return bad("bad_field", "\"sha256\": expected 64 lower-case hex digits");
  t.sha256 = *sha;
  return RegistryRecord(t);
}

template <class O>
Result<RegistryRecord> premise(const O& o) {
  PremiseRecord p;
  auto id = id_field(o, "id", true);
  if (!id) return id.error();
  p.id = *id;
  auto text = str(o, "address", false, 512);
  if (!text) return text.error();
  p.address_text = *text;
  auto lat = number(o, "lat", -90, 90);
  if (!lat) return lat.error();
  auto lon = number(o, "lon", -180, 180);
  if (!lon) return lon.error();
  if (lat->has_value() != lon->has_value()) return bad("bad_field", "\"lat\" and \"lon\" come together");
  p.lat = *lat;
  p.lon = *lon;
  auto aliases = aliases_field(o);
  if (!aliases) return aliases.error();
  p.aliases = std::move(*aliases);

  std::string why;
  auto civic_obj = civic_field(o);
  if (!civic_obj) return civic_obj.error();
  if (*civic_obj) {
    const O& civic = **civic_obj;
    CivicAddress c;
    // "stp" is an older name of the pre-type some exports use.
    static const CivicElement kOlderPretype{"stp", &CivicAddress::pretype};
    for (std::size_t k = 0; k <= kCivicElements.size(); ++k) {
      const CivicElement& e = k < kCivicElements.size() ? kCivicElements[k] : kOlderPretype;
      auto v = str(civic, std::string(e.name), false, 128);
      if (!v) return bad("bad_field", "\"civic\"." + v.error().message);
      if (!v->empty()) c.*e.member = *v;
    }
    auto n = normalize_civic(c);
    if (n) p.address = *n;
    else why = n.error().message;
  }
  if (!p.address && !p.address_text.empty()) {
    auto n = normalize_address(p.address_text, AddressSource::registry);
    if (n) p.address = *n;
    else why = n.error().message;
  }
  if (!p.address && !p.lat)
    return bad("bad_field", why.empty() ? "premise needs \"address\", \"civic\" or \"lat\"/\"lon\"" : why);
  return RegistryRecord(p);
}

template <class O>
Result<RegistryRecord> subject(const O& o) {
  SubjectRecord s;
  auto id = id_field(o, "id", true);
  if (!id) return id.error();
  auto name = str(o, "name", false, 256);
  if (!name) return name.error();
  auto born = str(o, "born", false, 32);
  if (!born) return born.error();
  s.id = *id;
  s.name = *name;
  s.born = *born;
  return RegistryRecord(s);
}

template <class O>
Result<RegistryRecord> flag(const O& o) {
  FlagRecord f;
  auto id = id_field(o, "id", true);
  if (!id) return id.error();
  f.id = *id;
  auto subj = id_field(o, "subject", false);
  if (!subj) return subj.error();
  f.subject = *subj;
  auto prem = id_field(o, "premise", true);
  if (!prem) return prem.error();
  f.premise = *prem;
  auto kind = str(o, "kind", true, 16);
  if (!kind) return kind.error();
  if (*kind != "safety" && *kind != "care" && *kind != "sud")
    return bad("bad_field", "\"kind\" = \"" + *kind + "\": expected safety, care or sud");
  f.kind = *kind;
  auto code = str(o, "code", true, 64);
  if (!code) return code.error();
  for (char& c : *code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return bad("bad_field", "\"code\" = \"" + *code + "\": expected letters, digits, _ or -");
  }
  f.code = *code;
  auto note = str(o, "note", false);
  if (!note) return note.error();
  f.note = *note;
  auto audience = str(o, "audience", false, 16);
  if (!audience) return audience.error();
  if (audience->empty()) {
    // Not stated: safety flags are for everyone on the call; care and SUD
    // detail stays with clinicians until the registry says otherwise.
    f.audience = f.kind == "safety" ? "all" : "clinician";
    f.audience_defaulted = true;
  } else if (*audience == "all" || *audience == "clinician") {
    f.audience = *audience;
  } else {
    return bad("bad_field", "\"audience\" = \"" + *audience + "\": expected all or clinician");
  }
  auto expires = date_field(o, "expires");
  if (!expires) return expires.error();
  f.expires = *expires;
  auto validated = date_field(o, "validated");
  if (!validated) return validated.error();
  f.validated = *validated;
  return RegistryRecord(f);
}

template <class O>
Result<RegistryRecord> history(const O& o) {
  HistoryRecord h;
  auto prem = id_field(o, "premise", true);
  if (!prem) return prem.error();
  auto inc = id_field(o, "incident", true);
  if (!inc) return inc.error();
  auto at = str(o, "at", true, 40);
  if (!at) return at.error();
  if (!is_rfc3339(*at)) return bad("bad_field", "\"at\" = \"" + *at + "\": expected RFC 3339, e.g. 2026-03-02T10:00:00Z");
  auto ct = str(o, "call_type", false, 256);
  if (!ct) return ct.error();
  auto disp = str(o, "disposition", false, 256);
  if (!disp) return disp.error();
  h.premise = *prem;
  h.incident = *inc;
  h.at = *at;
  h.call_type = *ct;
  h.disposition = *disp;
  return RegistryRecord(h);
}

template <class O>
Result<RegistryRecord> tombstone(const O& o) {
  auto id = id_field(o, "id", true);
  if (!id) return id.error();
  return RegistryRecord(DeleteRecord{*id});
}


// Trims, and answers blank and non-object lines; std::nullopt = go on.
std::optional<Result<RegistryRecord>> precheck(std::string_view& line) {
  if (line.size() > kMaxLine)
    return Result<RegistryRecord>(
        bad("too_long", "line of " + std::to_string(line.size()) + " bytes: expected at most " + std::to_string(kMaxLine)));
  std::size_t a = 0, b = line.size();
  while (a < b && (line[a] == ' ' || line[a] == '\t' || line[a] == '\r')) ++a;
  while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r')) --b;
  if (a == b) return Result<RegistryRecord>(RegistryRecord(BlankRecord{}));
  line = line.substr(a, b - a);
  if (line.starts_with("\xEF\xBB\xBF"))
    return Result<RegistryRecord>(bad("not_object", "the line starts with a UTF-8 byte order mark (EF BB BF), as some "
                                                    "editors write: save the file as UTF-8 without BOM"));
  if (line.front() != '{') return Result<RegistryRecord>(bad("not_object", "expected a JSON object starting with '{'"));
  return std::nullopt;
}

template <class O>
Result<RegistryRecord> record(const O& o) {
  auto type = str(o, "type", true, 32);
  if (!type) return type.error();
  if (*type == "premise") return premise(o);
  if (*type == "flag") return flag(o);
  if (*type == "subject") return subject(o);
  if (*type == "history") return history(o);
  if (*type == "delete") return tombstone(o);
  if (*type == "header") return header(o);
  if (*type == "trailer") return trailer(o);
  return bad("unknown_type", "\"type\" = \"" + type->substr(0, 32) +
                                 "\": expected header, premise, subject, flag, history, delete or trailer");
}

Result<RegistryRecord> parse_general(std::string_view line) {
  Obj o;
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var v = parser.parse(std::string(line));
    o = v.extract<Obj>();
  } catch (const Poco::Exception& e) {
    return bad("bad_json", "not valid JSON: " + e.message().substr(0, 120));
  } catch (const std::exception& e) {
    return bad("bad_json", std::string("not valid JSON: ") + e.what());
  } catch (...) {
    return bad("bad_json", "not valid JSON");
  }
  if (o.isNull()) return bad("not_object", "expected a JSON object");
  try {
    return record(o);
  } catch (const Poco::Exception& e) {
    return bad("bad_field", "unexpected value: " + e.message().substr(0, 120));
  } catch (const std::exception& e) {
    return bad("bad_field", std::string("unexpected value: ") + e.what());
  }
}

}  // namespace

// Most lines of an export are plain objects of ASCII strings and numbers:
// those are read by FlatJson, several times faster than building Poco's
// dynamic objects. Any line it does not recognize, and any line whose record
// it would reject, goes through Poco, so every error (code and message) is
// exactly the general path's.
Result<RegistryRecord> parse_registry_line(std::string_view line) {
  if (auto early = precheck(line)) return std::move(*early);
  thread_local FlatJson flat;
  if (flat.parse(line)) {
    try {
      auto r = record(&flat.root());
      if (r) return r;
    } catch (const std::exception&) {
      // the general path below gives the answer
    }
  }
  return parse_general(line);
}

Result<RegistryRecord> parse_registry_line_general(std::string_view line) {
  if (auto early = precheck(line)) return std::move(*early);
  return parse_general(line);
}

}  // namespace mdtc::cache
