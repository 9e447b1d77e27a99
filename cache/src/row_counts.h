// Row counts kept beside the data (schema v6): `cache stats` reads a handful
// of small rows instead of counting millions, so doctor and monitoring stay
// instant on a large registry. Triggers keep the counts in step inside the
// very transaction that changes the rows (import, delta, purge); a
// snapshot drops the registry tables' triggers with the rest of what it
// rebuilds and recounts once at the end (schema.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "mdtc/sqlite.h"

namespace mdtc::cache {

using sql::Db;
using sql::SqlError;
using sql::Stmt;
using sql::Transaction;

// The counted tables, in the order stats and verify name them.
inline constexpr const char* kCountedTables[] = {"premises", "subjects", "flags", "history"};

struct KeptCounts {
  int64_t premises = 0, subjects = 0, flags = 0, history = 0;
  std::map<std::string, int64_t, std::less<>> flags_by_code;
};

// What row_counts and flag_code_counts say (a table without a row reads 0).
KeptCounts read_kept_counts(Db& db);
// One kept count, for the import's shrink check.
int64_t kept_count(Db& db, const std::string& table);
// Where flags and history are: one table since schema 8; the step to schema
// 6 counts a cache that still has them as two.
enum class RowsIn { premise_rows, flags_and_history_tables };
// Counts every table again and replaces the kept counts (migration, snapshot).
void recount(Db& db, RowsIn layout = RowsIn::premise_rows);
// Counts every table again and compares: a sentence naming the first count
// that disagrees with the rows, or nothing when all agree. Reads only.
std::optional<std::string> find_count_mismatch(Db& db);

}  // namespace mdtc::cache
