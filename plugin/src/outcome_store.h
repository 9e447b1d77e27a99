// Outcome records a co-responder clinician files after clearing a call, kept
// on the laptop for program reporting (share resolved without ED or jail,
// share referred or connected to services). A small SQLite file of its own:
// outcomes are the program's records, not part of the flag registry mirror.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "mdtc/result.h"
#include "sqlite_file.h"

namespace mdtc::plugin {

// The dispositions programs report on; the ids are the panel action ids.
inline constexpr const char* kDispositions[] = {
    "resolved_on_scene", "voluntary_transport", "involuntary_hold",
    "arrest",            "referral_made",       "connected_to_services"};
bool is_disposition(const std::string& id);
std::string disposition_label(const std::string& id);

struct Outcome {
  std::string request_id;
  std::string incident_id;
  std::string unit;
  std::string disposition;  // one of kDispositions
  std::string note;
  std::string recorded_at;  // RFC 3339 UTC
};

class OutcomeStore {
 public:
  static Result<OutcomeStore> open(const std::string& path);

  // One outcome per request: filing again replaces the earlier one.
  Status record(const Outcome& outcome);
  Result<std::vector<Outcome>> all();

 private:
  explicit OutcomeStore(SqliteFile file) : file_(std::move(file)) {}
  SqliteFile file_;
};

// CSV with a header row (RFC 4180 quoting), then nothing else: summary
// figures go to `summary` so the CSV stays machine-readable.
void write_outcomes_csv(const std::vector<Outcome>& outcomes, std::ostream& csv);
void write_outcomes_summary(const std::vector<Outcome>& outcomes, std::ostream& summary);

}  // namespace mdtc::plugin
