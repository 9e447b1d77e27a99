#include "row_counts.h"

#include <set>

namespace mdtc::cache {
namespace {

// Every kept count, including tables that have none (then std::nullopt).
std::map<std::string, std::optional<int64_t>> kept_rows(Db& db) {
  std::map<std::string, std::optional<int64_t>> kept;
  for (const char* t : kCountedTables) kept[t] = std::nullopt;
  Stmt q(db, "SELECT tbl, n FROM row_counts");
  while (q.step())
    if (auto it = kept.find(q.text(0)); it != kept.end()) it->second = q.integer(1);
  return kept;
}

// What the tables hold: a count(*) each for premises and subjects, and one
// scan of premise_rows (schema 8: flags and history in one table) for the
// flags, the history and the flags per code. Counted here rather than by
// GROUP BY: with no index on the code SQLite would sort every flag first,
// four times the cost of the one scan (a million-premise snapshot: 2 s
// against 0.4 s).
struct Held {
  std::map<std::string, int64_t> rows;  // by table, each of kCountedTables
  std::map<std::string, int64_t, std::less<>> flags_by_code;
};

Held held_rows(Db& db, RowsIn layout) {
  Held h;
  for (const char* t : {"premises", "subjects"}) {
    Stmt q(db, std::string("SELECT count(*) FROM ") + t);
    q.step();
    h.rows[t] = q.integer(0);
  }
  int64_t flags = 0, history = 0;
  Stmt q(db, layout == RowsIn::premise_rows ? "SELECT rec, code FROM premise_rows"
                                            : "SELECT 0, code FROM flags UNION ALL SELECT 1, NULL FROM history");
  while (q.step()) {
    if (q.integer(0) != 0) {
      ++history;
      continue;
    }
    ++flags;
    const std::string_view code = q.text_view(1);
    if (auto it = h.flags_by_code.find(code); it != h.flags_by_code.end()) ++it->second;
    else h.flags_by_code.emplace(code, 1);
  }
  h.rows["flags"] = flags;
  h.rows["history"] = history;
  return h;
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

void recount(Db& db, RowsIn layout) {
  const Held held = held_rows(db, layout);
  db.exec("DELETE FROM row_counts; DELETE FROM flag_code_counts;");
  Stmt put(db, "INSERT INTO row_counts(tbl, n) VALUES(?1, ?2)");
  for (const char* t : kCountedTables) put.bind(1, t).bind(2, held.rows.at(t)).run();
  Stmt code(db, "INSERT INTO flag_code_counts(code, n) VALUES(?1, ?2)");
  for (const auto& [c, n] : held.flags_by_code) code.bind(1, c).bind(2, n).run();
}

std::optional<std::string> find_count_mismatch(Db& db) {
  const Held all = held_rows(db, RowsIn::premise_rows);
  for (const auto& [table, kept] : kept_rows(db)) {
    const int64_t held = all.rows.at(table);
    if (!kept) return "no kept count of " + table + " (the table holds " + std::to_string(held) + " rows)";
    if (*kept != held)
      return "kept count of " + table + " is " + std::to_string(*kept) + " but the table holds " +
             std::to_string(held) + " rows";
  }
  // Per code, both ways: a code found on one side only is a mismatch too.
  const auto kept = read_kept_counts(db).flags_by_code;
  const auto& held = all.flags_by_code;
  auto of = [](const auto& counts, const std::string& c) -> int64_t {
    const auto it = counts.find(c);
    return it == counts.end() ? 0 : it->second;
  };
  std::set<std::string> codes;
  for (const auto& [c, n] : kept) codes.insert(c);
  for (const auto& [c, n] : held) codes.insert(c);
  for (const std::string& c : codes)
    if (of(kept, c) != of(held, c))
      return "kept count of flags with code " + c + " is " + std::to_string(of(kept, c)) +
             " but the flags table holds " + std::to_string(of(held, c));
  return std::nullopt;
}

}  // namespace mdtc::cache
