// A cache on a real SQLite file in a fresh temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "mdtc/sqlite.h"
#include "temp_dir.h"

namespace mdtc::cache::test {

// A header and records made into a complete export v1 file (header counts,
// trailer), as a registry writes it.
inline std::string complete(std::string_view text) {
  auto r = complete_registry_file(text);
  if (!r) throw std::runtime_error("fixture is not a registry file: " + r.error().message);
  return *r;
}

// The contract's example file (dates far in the future so it stays valid).
inline const std::string kExample = complete(R"({"type":"header","mode":"snapshot","version":1,"created":"2026-11-22T10:00:00Z"}
{"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL","lat":39.8012,"lon":-89.6437}
{"type":"premise","id":"P-2","civic":{"hno":"17","rd":"OAK","sts":"AVE","a3":"SPRINGFIELD","a1":"IL"}}
{"type":"subject","id":"S-1","name":"J. Doe","born":"1990"}
{"type":"flag","id":"F-1","subject":"S-1","premise":"P-1","kind":"safety","code":"WEAPONS","note":"Legally owns rifles","audience":"all","expires":"2099-06-01"}
{"type":"flag","id":"F-2","subject":"S-1","premise":"P-1","kind":"care","code":"AUTISM","note":"Nonverbal; calm with low voice, no lights","audience":"all"}
{"type":"flag","id":"F-3","subject":"S-1","premise":"P-1","kind":"care","code":"IN_TREATMENT","note":"Clinician: Dr. A, 555-0100","audience":"clinician"}
{"type":"history","premise":"P-1","incident":"I-0993","at":"2099-03-02T10:00:00Z","call_type":"WELFARE CHECK","disposition":"RESOLVED ON SCENE"}
)");

// As if time had passed: flag `id` in the cache at `db` reads as past its
// expiry ("expires") or its re-validation ("validated"). An import keeps no
// flag that arrives so, so a purge's tests age one already held.
inline void lapse_flag(const std::string& db, const std::string& id, const std::string& column = "expires") {
  sql::Db raw(db, SQLITE_OPEN_READWRITE);
  sql::Stmt st(raw, "UPDATE premise_rows SET " + column + " = '2001-01-01' WHERE id = ?1 AND rec = 0");
  st.bind(1, id);
  st.run();
  if (sqlite3_changes(raw.get()) != 1) throw std::runtime_error("no flag " + id + " to lapse");
}

class CacheTest : public ::testing::Test {
 protected:
  mdtc::test::TempDir dir;
  std::string db = dir.file("flags.db");

  Cache open(OpenOptions o = {}) {
    if (o.db_path.empty()) o.db_path = db;
    auto c = Cache::open(o);
    if (!c.ok()) throw std::runtime_error(c.error().message);
    return std::move(*c);
  }

  static MatchResult match(Cache& c, const std::string& address, std::optional<double> lat = {},
                           std::optional<double> lon = {}, MatchOptions opts = {}) {
    AddressQuery q;
    q.address = address;
    q.lat = lat;
    q.lon = lon;
    return c.match(q, opts);
  }

  static std::vector<std::string> flag_ids(const MatchResult& m) {
    std::vector<std::string> ids;
    for (const auto& f : m.flags) ids.push_back(f.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }
};

}  // namespace mdtc::cache::test
