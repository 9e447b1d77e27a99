#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mdtc/registry_line.h"

namespace mdtc::cache {
namespace {

template <class T>
T parse_as(const std::string& line) {
  auto r = parse_registry_line(line);
  EXPECT_TRUE(r.ok()) << line << ": " << (r.ok() ? "" : r.error().message);
  if (!r.ok() || !std::holds_alternative<T>(*r)) {
    ADD_FAILURE() << "wrong record type for " << line;
    return T{};
  }
  return std::get<T>(*r);
}

std::string error_code(const std::string& line) {
  auto r = parse_registry_line(line);
  return r.ok() ? "ok" : r.error().code;
}

TEST(RegistryLine, PremiseWithTextAddressAndCoordinates) {
  auto p = parse_as<PremiseRecord>(
      R"({"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL","lat":39.8012,"lon":-89.6437})");
  EXPECT_EQ(p.id, "P-1");
  ASSERT_TRUE(p.address);
  EXPECT_EQ(p.address->display(), "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_DOUBLE_EQ(*p.lat, 39.8012);
}

TEST(RegistryLine, PremiseWithCivic) {
  auto p = parse_as<PremiseRecord>(
      R"({"type":"premise","id":"P-2","civic":{"hno":"17","rd":"OAK","sts":"AVE","a3":"SPRINGFIELD","a1":"IL"}})");
  ASSERT_TRUE(p.address);
  EXPECT_EQ(p.address->display(), "17 OAK AVE, SPRINGFIELD IL");
}

TEST(RegistryLine, FlagFieldsAndAudienceDefaults) {
  auto f = parse_as<FlagRecord>(
      R"({"type":"flag","id":"F-1","subject":"S-1","premise":"P-1","kind":"safety","code":"weapons","note":"n","expires":"2027-06-01"})");
  EXPECT_EQ(f.code, "WEAPONS");
  EXPECT_EQ(f.audience, "all");
  EXPECT_TRUE(f.audience_defaulted);
  auto c = parse_as<FlagRecord>(R"({"type":"flag","id":"F-2","premise":"P-1","kind":"care","code":"AUTISM"})");
  EXPECT_EQ(c.audience, "clinician");
}

TEST(RegistryLine, HeaderAndDeleteAndBlank) {
  auto h = parse_as<HeaderRecord>(R"({"type":"header","mode":"snapshot","version":7,"created":"2026-11-22T10:00:00Z"})");
  EXPECT_EQ(h.mode, "snapshot");
  EXPECT_EQ(h.version, 7);
  EXPECT_EQ(parse_as<DeleteRecord>(R"({"type":"delete","id":"F-1"})").id, "F-1");
  EXPECT_TRUE(std::holds_alternative<BlankRecord>(*parse_registry_line("   \r")));
}

TEST(RegistryLine, HeaderCountsAndTrailer) {
  auto h = parse_as<HeaderRecord>(
      R"({"type":"header","mode":"delta","version":4,"base":2,"premises":1,"subjects":2,"flags":3,"history":4,"deletes":5})");
  EXPECT_EQ(h.base, 2);
  EXPECT_EQ(h.counts, (RecordCounts{1, 2, 3, 4, 5}));
  EXPECT_FALSE(parse_as<HeaderRecord>(R"({"type":"header","mode":"delta","version":4})").counts.has_value());
  const std::string sha(64, 'a');
  auto t = parse_as<TrailerRecord>(
      R"({"type":"trailer","premises":1,"subjects":0,"flags":2,"history":0,"deletes":0,"sha256":")" + sha + "\"}");
  EXPECT_EQ(t.counts, (RecordCounts{1, 0, 2, 0, 0}));
  EXPECT_EQ(t.sha256, sha);
  // Counts come all together; the hash is 64 lower-case hex digits.
  EXPECT_EQ(error_code(R"({"type":"header","mode":"snapshot","version":1,"flags":2})"), "registry.missing_field");
  EXPECT_EQ(error_code(R"({"type":"trailer","premises":1,"subjects":0,"flags":2,"history":0,"deletes":0})"),
            "registry.missing_field");
  EXPECT_EQ(error_code(R"({"type":"trailer","premises":1,"subjects":0,"flags":2,"history":0,"deletes":0,"sha256":"ABC"})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"trailer","premises":-1,"subjects":0,"flags":2,"history":0,"deletes":0,"sha256":")" +
                       sha + "\"}"),
            "registry.bad_field");
}

TEST(RegistryLine, CompletingAFileCountsItsRecordsAndHashesThem) {
  const std::string records = R"({"type":"premise","id":"P-1","address":"1 ELM ST"}
{"type":"flag","id":"F-1","premise":"P-1","kind":"safety","code":"DOG"}
{"type":"delete","id":"F-0"}
)";
  auto done = complete_registry_file(R"({"type":"header","mode":"delta","version":2})" "\n" + records);
  ASSERT_TRUE(done.ok()) << done.error().message;
  const std::size_t last = done->rfind('\n', done->size() - 2) + 1;
  auto t = parse_as<TrailerRecord>(done->substr(last, done->size() - last - 1));
  EXPECT_EQ(t.counts, (RecordCounts{1, 0, 1, 0, 1}));
  EXPECT_EQ(done->substr(last), registry_trailer(done->substr(0, last), t.counts) + "\n");
  auto h = parse_as<HeaderRecord>(done->substr(0, done->find('\n')));
  EXPECT_EQ(h.counts, t.counts);
  EXPECT_EQ(complete_registry_file(records).error().code, "registry.no_header");
}

TEST(RegistryLine, UnknownFieldsAreIgnored) {
  auto s = parse_as<SubjectRecord>(R"({"type":"subject","id":"S-1","name":"J. Doe","born":"1990","x_new":[1,2]})");
  EXPECT_EQ(s.name, "J. Doe");
}

TEST(RegistryLine, BadLinesGetSpecificErrors) {
  EXPECT_EQ(error_code("not json"), "registry.not_object");
  EXPECT_EQ(error_code("{\"type\":\"flag\""), "registry.bad_json");
  EXPECT_EQ(error_code(R"({"type":"premise"})"), "registry.missing_field");
  EXPECT_EQ(error_code(R"({"type":"wat","id":"1"})"), "registry.unknown_type");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"danger","code":"X"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","audience":"public"})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","expires":"2026-02-30"})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","expires":20270101})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","expires":""})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"X","validated":""})"),
            "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"premise","id":"P","address":"MAPLE ST"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"premise","id":"P","address":"1 ELM ST","lat":91,"lon":0})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"premise","id":"P","address":"1 ELM ST","lat":40})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"history","premise":"P","incident":"I","at":"yesterday"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"header","mode":"full"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":"subject","id":"a\u0001b"})"), "registry.bad_field");
  EXPECT_EQ(error_code(R"({"type":1})"), "registry.bad_field");
  EXPECT_EQ(error_code("[1,2]"), "registry.not_object");
  EXPECT_EQ(error_code(std::string(70000, '{')), "registry.too_long");
}

TEST(RegistryLine, PremiseAliasesAreFoldedToMatchKeys) {
  auto p = parse_as<PremiseRecord>(
      R"({"type":"premise","id":"P-9","address":"100 School Rd, Springfield IL","aliases":["Springfield High-School","SHS","shs","St. Mary's"]})");
  EXPECT_EQ(p.aliases, (std::vector<std::string>{"SPRINGFIELD HIGH SCHOOL", "SHS", "ST MARYS"}));
  EXPECT_TRUE(parse_as<PremiseRecord>(R"({"type":"premise","id":"P-9","address":"1 ELM ST"})").aliases.empty())
      << "files without aliases stay valid";
  EXPECT_TRUE(parse_as<PremiseRecord>(R"({"type":"premise","id":"P-9","address":"1 ELM ST","aliases":null})")
                  .aliases.empty());
}

TEST(RegistryLine, BadAliasesGetSpecificErrors) {
  const std::string head = R"({"type":"premise","id":"P","address":"1 ELM ST","aliases":)";
  auto message = [&](const std::string& aliases) {
    auto r = parse_registry_line(head + aliases + "}");
    EXPECT_FALSE(r.ok()) << aliases;
    if (r.ok()) return std::string();
    EXPECT_EQ(r.error().code, "registry.bad_field") << aliases;
    return r.error().message;
  };
  EXPECT_EQ(message(R"("SHS")"), "\"aliases\": expected an array of strings");
  EXPECT_EQ(message(R"(["SHS", 7])"), "\"aliases\"[1]: expected a string");
  EXPECT_EQ(message(R"(["--"])"), "\"aliases\"[0]: expected a name with letters or digits");
  EXPECT_EQ(message("[\"" + std::string(129, 'A') + "\"]"), "\"aliases\"[0]: 129 bytes, expected at most 128");
  std::string many = "[";
  for (int i = 0; i < 33; ++i) many += std::string(i ? "," : "") + "\"N" + std::to_string(i) + "\"";
  EXPECT_EQ(message(many + "]"), "\"aliases\": 33 names, expected at most 32");
}

TEST(RegistryLine, CoordinatesOnlyPremiseIsAccepted) {
  auto p = parse_as<PremiseRecord>(R"({"type":"premise","id":"P-3","lat":39.8,"lon":-89.6})");
  EXPECT_FALSE(p.address);
}

// The fast reader and the general (Poco::JSON) path must agree on every
// input: the same record, or the same error code and message.
void expect_paths_agree(const std::string& line) {
  auto fast = parse_registry_line(line);
  auto general = parse_registry_line_general(line);
  ASSERT_EQ(fast.ok(), general.ok()) << line;
  if (fast.ok()) {
    EXPECT_TRUE(*fast == *general) << line;
  } else {
    EXPECT_EQ(fast.error().code, general.error().code) << line;
    EXPECT_EQ(fast.error().message, general.error().message) << line;
  }
}

const std::vector<std::string> kSeeds = {
    R"({"type":"header","mode":"snapshot","version":1,"created":"2026-11-22T10:00:00Z"})",
    R"({"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL","lat":39.8012,"lon":-89.6437})",
    R"({"type":"premise","id":"P-2","civic":{"hno":"17","rd":"OAK","sts":"AVE","a3":"SPRINGFIELD","a1":"IL"}})",
    R"({"type":"subject","id":"S-1","name":"J. Doe","born":"1990"})",
    R"({"type":"flag","id":"F-1","subject":"S-1","premise":"P-1","kind":"safety","code":"WEAPONS","note":"Legally owns rifles","audience":"all","expires":"2027-06-01"})",
    R"({"type":"history","premise":"P-1","incident":"I-0993","at":"2026-03-02T10:00:00Z","call_type":"WELFARE CHECK","disposition":"RESOLVED ON SCENE"})",
    R"({"type":"delete","id":"F-1"})",
    R"({"type":"header","mode":"delta","version":4,"base":3,"premises":0,"subjects":0,"flags":1,"history":0,"deletes":2})",
    R"({"type":"trailer","premises":4,"subjects":3,"flags":7,"history":2,"deletes":0,"sha256":"3f23178db7511c946f1ad80f34b997228e102ab813d7583afed52b9a5a16196e"})",
};

TEST(RegistryLine, FastPathAgreesWithGeneralParserOnTrickyLines) {
  const std::vector<std::string> tricky = {
      R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"x","note":"a \"b\" \\ \/ \b\f\n\r\t c"})",
      R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"x","note":"\u00e9 \ud83d\ude00"})",
      "{\"type\":\"subject\",\"id\":\"S\",\"name\":\"Jos\xc3\xa9\"}",
      "{\"type\":\"subject\",\"id\":\"S\",\"name\":\"bad \xc3\"}",
      "{\"type\":\"subject\",\"id\":\"S\",\"name\":\"tab\there\"}",
      R"({"type":"subject","id":"S","name":"a","name":"b"})",
      R"({"type":"subject","type":"flag","id":"S"})",
      R"( { "type" : "delete" , "id" : "X" } )",
      "{\t\"type\":\"delete\",\"id\":\"X\"}\r",
      R"({"type":"delete","id":"X"} x)",
      R"({"type":"delete","id":"X"}})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","aliases":null})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","aliases":["A","B"]})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","aliases":{"a":"b"}})",
      R"({"type":"delete","id":"X",})",
      R"({"type":"delete",,"id":"X"})",
      R"({"type":"delete" "id":"X"})",
      R"({"type":"delete","id":null})",
      R"({"type":"delete","id":"X","more":[1,{"a":2}]})",
      R"({"type":"delete","id":"X","more":{"a":{"b":{}}}})",
      R"({"type":"header","mode":"delta","version":1.0})",
      R"({"type":"header","mode":"delta","version":-1})",
      R"({"type":"header","mode":"delta","version":-0})",
      R"({"type":"header","mode":"delta","version":9223372036854775807})",
      R"({"type":"header","mode":"delta","version":9223372036854775808})",
      R"({"type":"header","mode":"delta","version":123456789012345})",
      R"({"type":"header","mode":"delta","version":true})",
      R"({"type":"header","mode":"delta","version":"1"})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":1e1,"lon":2})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":01,"lon":2})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":1.,"lon":2})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":-.5,"lon":2})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":-0.0,"lon":-0})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":39.80120000000000000001,"lon":-89.6437})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":0.30000000000000004,"lon":89.99999999999999})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":90.0000000000000001,"lon":180})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":true,"lon":false})",
      R"({"type":"premise","id":"P","address":"1 ELM ST","lat":"1","lon":"2"})",
      R"({"type":"premise","id":"P","civic":"17 OAK AVE"})",
      R"({"type":"premise","id":"P","civic":null,"address":"17 OAK AVE"})",
      R"({"type":"premise","id":"P","civic":{"hno":17,"rd":"OAK"}})",
      R"({"type":"premise","id":"P","civic":{"hno":"17","rd":"OAK","hno":"18"}})",
      R"({"type":"premise","id":"P","civic":{},"address":"17 OAK AVE"})",
      R"({"type":"flag","id":"F","premise":"P","kind":"care","code":"x","audience":null,"expires":null})",
      R"({"type":"flag","id":"F","premise":"P","kind":"sud","code":"a_b-9"})",
      R"({"type":"flag","id":"","premise":"P","kind":"care","code":"x"})",
      R"({"":"","type":"delete","id":"X"})",
      R"({"type":"history","premise":"P","incident":"I","at":"2026-03-02T10:00:00.5+01:00"})",
      R"({})",
      R"({"type")",
      R"({"type":"delete","id":"X")",
      "{\"type\":\"delete\",\"id\":\"X\x7f\"}",
  };
  for (const std::string& line : tricky) expect_paths_agree(line);
  for (const std::string& line : kSeeds) expect_paths_agree(line);
}

// Deterministic mutations of the contract's example lines: every byte
// removed, and every byte replaced by (and preceded by) each of a set of
// JSON-significant characters. The two paths must agree on each.
TEST(RegistryLine, FastPathAgreesWithGeneralParserOnMutations) {
  const char kReplacements[] = "\"\\{}[],:. -+0123456789eEnulltrfa\t\r\x01\x7f\xc3";
  std::size_t checked = 0;
  for (const std::string& seed : kSeeds) {
    for (std::size_t i = 0; i < seed.size(); ++i) {
      expect_paths_agree(seed.substr(0, i) + seed.substr(i + 1));
      for (std::size_t k = 0; k + 1 < sizeof kReplacements; ++k) {
        std::string m = seed;
        m[i] = kReplacements[k];
        expect_paths_agree(m);
        m.insert(i, 1, kReplacements[k]);
        expect_paths_agree(m);
        checked += 2;
      }
    }
  }
  EXPECT_GT(checked, 10000u);
}

TEST(RegistryLine, Rfc3339Checks) {
  EXPECT_TRUE(is_rfc3339("2026-03-02T10:00:00Z"));
  EXPECT_TRUE(is_rfc3339("2026-03-02T10:00:00.123-05:00"));
  EXPECT_FALSE(is_rfc3339("2026-03-02T25:00:00Z"));
  EXPECT_FALSE(is_rfc3339("2026-03-02"));
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2027-02-29"));
}

}  // namespace
}  // namespace mdtc::cache
