#include "row_counts.h"

namespace mdtc::cache {
namespace {

int64_t count_rows(Db& db, const std::string& table) {
  Stmt q(db, "SELECT count(*) FROM " + table);
  q.step();
  return q.integer(0);
}

// Every kept count, including tables that have none (then std::nullopt).
std::map<std::string, std::optional<int64_t>> kept_rows(Db& db) {
  std::map<std::string, std::optional<int64_t>> kept;
  for (const char* t : kCountedTables) kept[t] = std::nullopt;
  Stmt q(db, "SELECT tbl, n FROM row_counts");
  while (q.step()) kept[q.text(0)] = q.integer(1);
  return kept;
}

}  // namespace

KeptCounts read_kept_counts(Db& db) {
  KeptCounts k;
  for (const auto& [table, n] : kept_rows(db)) {
    const int64_t v = n.value_or(0);
    if (table == "premises") k.premises = v;
    else if (table == "subjects") k.subjects = v;
    else if (table == "flags") k.flags = v;
    else if (table == "history") k.history = v;
    else if (table == "audit") k.audit = v;
  }
  Stmt codes(db, "SELECT code, n FROM flag_code_counts");
  while (codes.step()) k.flags_by_code.emplace(codes.text(0), codes.integer(1));
  return k;
}

int64_t kept_count(Db& db, const std::string& table) {
  Stmt q(db, "SELECT n FROM row_counts WHERE tbl = ?1");
  q.bind(1, table);
  return q.step() ? q.integer(0) : 0;
}

void recount(Db& db) {
  db.exec("DELETE FROM row_counts; DELETE FROM flag_code_counts;");
  Stmt put(db, "INSERT INTO row_counts(tbl, n) VALUES(?1, ?2)");
  for (const char* t : kCountedTables) put.bind(1, t).bind(2, count_rows(db, t)).run();
  db.exec("INSERT INTO flag_code_counts(code, n) SELECT code, count(*) FROM flags GROUP BY code");
}

std::optional<std::string> find_count_mismatch(Db& db) {
  for (const auto& [table, kept] : kept_rows(db)) {
    const int64_t held = count_rows(db, table);
    if (!kept) return "no kept count of " + table + " (the table holds " + std::to_string(held) + " rows)";
    if (*kept != held)
      return "kept count of " + table + " is " + std::to_string(*kept) + " but the table holds " +
             std::to_string(held) + " rows";
  }
  // Kept and held side by side per code: a code found on one side only is a
  // mismatch too.
  Stmt both(db, R"sql(
    SELECT code, sum(kept), sum(held) FROM (
      SELECT code, n AS kept, 0 AS held FROM flag_code_counts
      UNION ALL
      SELECT code, 0, count(*) FROM flags GROUP BY code)
    GROUP BY code HAVING sum(kept) <> sum(held) ORDER BY code LIMIT 1)sql");
  if (both.step())
    return "kept count of flags with code " + both.text(0) + " is " + std::to_string(both.integer(1)) +
           " but the flags table holds " + std::to_string(both.integer(2));
  return std::nullopt;
}

}  // namespace mdtc::cache
