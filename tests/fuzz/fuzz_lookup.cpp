// libFuzzer target: a lookup in a real cache (a SQLite file in a temporary
// directory, a small registry of premises whose streets the readings of a
// near miss take apart). Whatever the text, the lookup answers: never
// "unavailable" from a healthy cache (an exception inside would read so),
// never flags without a premise, never a question without its reason.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "mdtc/cache.h"
#include "mdtc/registry_line.h"

namespace {

const char* const kPremises[] = {
    "77 Pine Rd, Springfield IL",          "7441 E County Road Y, Gordon WI",
    "200 Spur 113, Teague TX",             "820 N Highway 71 Business, Lowell AR",
    "10 Birchwood Park Dr S, Cherry Hill NJ", "4222 North Way, Central City IA",
    "1255 W North Ave, Chicago IL",        "101 E Market St Unit 17771, Long Beach CA 90807",
    "540 Meadow Ridge Blvd, Springfield IL", "1 Elm St, Long Beach CA",
    "306 North Ave NW, Cedar Rapids IA",   "3904 Route # A, Arlington VT",
};

struct Fixture {
  std::string dir;
  std::optional<mdtc::cache::Cache> cache;
  Fixture() {
    char tmpl[] = "/tmp/mdtc-fuzz-lookup-XXXXXX";
    if (!mkdtemp(tmpl)) abort();
    dir = tmpl;
    mdtc::cache::OpenOptions o;
    o.db_path = dir + "/cache.db";
    auto opened = mdtc::cache::Cache::open(o);
    if (!opened) abort();
    cache.emplace(std::move(*opened));
    std::string text = R"({"type":"header","mode":"snapshot","version":1})" "\n";
    int i = 0;
    for (const char* address : kPremises) {
      const std::string id = "P-" + std::to_string(i++);
      text += R"({"type":"premise","id":")" + id + R"(","address":")" + address + "\"}\n";
      text += R"({"type":"flag","id":"F)" + id + R"(","premise":")" + id +
              R"(","kind":"safety","code":"WEAPONS","audience":"all"})" "\n";
    }
    auto file = mdtc::cache::complete_registry_file(text);
    if (!file || !cache->import_text(*file, "fuzz.jsonl")) abort();
  }
  ~Fixture() {
    cache.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture f;
  mdtc::cache::AddressQuery q;
  q.address.assign(reinterpret_cast<const char*>(data), size);
  const mdtc::cache::MatchResult m = f.cache->match(q);
  if (m.freshness == mdtc::cache::Freshness::unavailable) __builtin_trap();
  if (!m.flags.empty() && m.premises.empty()) __builtin_trap();
  if (!m.ambiguous_candidates.empty() && (!m.flags.empty() || m.reasons.empty())) __builtin_trap();
  return 0;
}
