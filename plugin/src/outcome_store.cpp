#include "outcome_store.h"

#include <sqlite3.h>

#include <iomanip>
#include <map>

namespace mdtc::plugin {
namespace {

std::string column(sqlite3_stmt* st, int i) {
  const auto* text = sqlite3_column_text(st, i);
  return text ? reinterpret_cast<const char*>(text) : "";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

bool is_disposition(const std::string& id) {
  for (const char* d : kDispositions)
    if (id == d) return true;
  return false;
}

std::string disposition_label(const std::string& id) {
  static const std::map<std::string, std::string> labels = {
      {"resolved_on_scene", "Resolved on scene"},
      {"voluntary_transport", "Voluntary transport"},
      {"involuntary_hold", "Involuntary hold"},
      {"arrest", "Arrest"},
      {"referral_made", "Referral made"},
      {"connected_to_services", "Connected to services"}};
  auto it = labels.find(id);
  return it == labels.end() ? id : it->second;
}

Result<OutcomeStore> OutcomeStore::open(const std::string& path) {
  auto file = SqliteFile::open(
      path,
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE IF NOT EXISTS outcome("
      " request_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, unit TEXT NOT NULL,"
      " disposition TEXT NOT NULL, note TEXT NOT NULL DEFAULT '', recorded_at TEXT NOT NULL);",
      "outcomes.sqlite");
  if (!file) return file.error();
  return OutcomeStore(std::move(*file));
}

Status OutcomeStore::record(const Outcome& o) {
  if (!is_disposition(o.disposition))
    return make_error("outcomes.bad_disposition",
                      "disposition '" + o.disposition + "' is not one of the reported dispositions");
  return file_.write(
      "INSERT OR REPLACE INTO outcome(request_id, incident_id, unit, disposition, note, recorded_at)"
      " VALUES(?,?,?,?,?,?)",
      {&o.request_id, &o.incident_id, &o.unit, &o.disposition, &o.note, &o.recorded_at});
}

Result<std::vector<Outcome>> OutcomeStore::all() {
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT request_id, incident_id, unit, disposition, note, recorded_at FROM outcome"
      " ORDER BY recorded_at, request_id";
  if (sqlite3_prepare_v2(file_.handle(), sql, -1, &st, nullptr) != SQLITE_OK)
    return file_.error("prepare");
  std::vector<Outcome> out;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW)
    out.push_back({column(st, 0), column(st, 1), column(st, 2), column(st, 3), column(st, 4),
                   column(st, 5)});
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return file_.error("cannot read outcomes");
  return out;
}

void write_outcomes_csv(const std::vector<Outcome>& outcomes, std::ostream& csv) {
  csv << "recorded_at,unit,incident_id,request_id,disposition,note\r\n";
  for (const auto& o : outcomes)
    csv << csv_field(o.recorded_at) << ',' << csv_field(o.unit) << ',' << csv_field(o.incident_id)
        << ',' << csv_field(o.request_id) << ',' << csv_field(o.disposition) << ','
        << csv_field(o.note) << "\r\n";
}

void write_outcomes_summary(const std::vector<Outcome>& outcomes, std::ostream& out) {
  std::size_t without_ed_or_jail = 0, referred = 0;
  for (const auto& o : outcomes) {
    // Transports and holds end at an emergency department, arrests in jail;
    // everything else stayed out of both.
    if (o.disposition != "voluntary_transport" && o.disposition != "involuntary_hold" &&
        o.disposition != "arrest")
      ++without_ed_or_jail;
    if (o.disposition == "referral_made" || o.disposition == "connected_to_services") ++referred;
  }
  const auto pct = [&](std::size_t n) {
    return outcomes.empty() ? 0.0 : 100.0 * static_cast<double>(n) / static_cast<double>(outcomes.size());
  };
  out << "calls with an outcome: " << outcomes.size() << "\n"
      << std::fixed << std::setprecision(1)
      << "resolved without ED or jail: " << without_ed_or_jail << " (" << pct(without_ed_or_jail) << "%)\n"
      << "referred or connected to services: " << referred << " (" << pct(referred) << "%)\n";
}

}  // namespace mdtc::plugin
