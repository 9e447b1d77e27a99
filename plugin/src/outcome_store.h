// The unit's outcome records on disk: a small SQLite file of its own
// (outcomes-<unit>.db), since outcomes are the program's records, not part
// of the flag registry mirror. Only I/O here: the codes, exports and summary
// are pure (outcome_codes.h, outcome_export.h, outcome_summary.h).
//
// Schema versions (PRAGMA user_version): 0 = the first file, one row per
// filed outcome (request_id, incident_id, unit, disposition, note,
// recorded_at); 2 = adds who requested, a time per step and the coded
// fields; 3 = adds the officer's hand-off (handed_off_at, handoff). Opening
// an older file for writing migrates it in place; a
// read-only open reads either without writing.
#pragma once

#include <string>
#include <vector>

#include "mdtc/result.h"
#include "outcome_record.h"
#include "mdtc/sqlite.h"

namespace mdtc::plugin {

inline constexpr int kOutcomeSchemaVersion = 3;

class OutcomeStore {
 public:
  // Opens or creates the plugin's file, migrating an older one.
  static Result<OutcomeStore> open(const std::string& path);
  // For reports: never creates, migrates or writes. Errors:
  // outcomes.missing (no such file), outcomes.not_outcomes (not SQLite, or
  // no outcome table), outcomes.newer_schema (a later version's file).
  static Result<OutcomeStore> open_read_only(const std::string& path);

  // Stamps one step of a request, creating its record if needed. The first
  // time of a step wins: a repeated status or a replay after a restart never
  // moves it.
  Status stamp(const OutcomeStamp& stamp);
  // Files the clinician's coded fields and note. Filing again replaces
  // them; the stamped times stay.
  Status record(const Outcome& outcome);
  Result<std::vector<Outcome>> all();

 private:
  explicit OutcomeStore(sql::Db db) : db_(std::move(db)) {}
  sql::Db db_;
};

}  // namespace mdtc::plugin
