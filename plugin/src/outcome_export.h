// Outcome records out of the car: period filtering, de-identification and
// the CSV and JSON writers. Pure: records in, text out; the CLI does the I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"
#include "outcome_record.h"

namespace mdtc::plugin {

// Records whose request_time() is in [from, to); a bound left empty is open.
// A record without any time is kept only when no bound is given.
std::vector<Outcome> in_period(const std::vector<Outcome>& records, std::optional<int64_t> from_ms,
                               std::optional<int64_t> to_ms);

// `--from` / `--to`: a UTC date ("2026-11-01", its midnight) or an RFC 3339
// time. `option` names the option in the error.
Result<int64_t> parse_period_bound(std::string_view text, const std::string& option);

struct ExportOptions {
  // Drops request and incident ids, unit ids and notes, and rounds every
  // time down to its hour: what a funder may hold without a data agreement.
  bool deidentified = false;
  bool notes = true;  // false leaves the clinician's note out of an identified export
};

// The columns, in order, for these options (the CSV header; the JSON keys).
std::vector<std::string> export_columns(const ExportOptions& options);

// CSV (RFC 4180: CRLF, quoting only where needed) with a header row and one
// row per record; nothing else, so a spreadsheet reads it as it is.
void write_outcomes_csv(const std::vector<Outcome>& records, const ExportOptions& options,
                        std::ostream& csv);
// {"records":[{...}, ...]} with the same keys; a time not seen is null.
void write_outcomes_json(const std::vector<Outcome>& records, const ExportOptions& options,
                         std::ostream& json);

}  // namespace mdtc::plugin
