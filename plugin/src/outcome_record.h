// One co-responder request's outcome record as plain values: when each step
// happened, who asked, and the coded fields the clinician files. The store
// reads and writes these; exports and the summary are pure functions of them.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "outcome_codes.h"

namespace mdtc::plugin {

struct Outcome {
  std::string request_id;
  std::string incident_id;
  std::string unit;  // the unit whose file holds the record
  std::string requested_by = kUnknown;  // one of kRequesters
  // Unix ms of each OutcomeStep, indexed by the enum; empty = not seen.
  std::array<std::optional<int64_t>, kOutcomeSteps> at{};
  // Field id (outcome_fields()) -> code; a field not present is "unknown".
  std::map<std::string, std::string> codes;
  std::string handoff;      // the officer's next step when nobody came (kHandoffs); empty = none
  std::string note;         // the clinician's own words; exports can leave it out
  std::string recorded_at;  // RFC 3339 UTC, when the clinician filed; empty before

  std::string code(std::string_view field_id) const {
    auto it = codes.find(std::string(field_id));
    return it == codes.end() || it->second.empty() ? kUnknown : it->second;
  }
  std::string disposition() const { return code("disposition"); }
  std::optional<int64_t>& time(OutcomeStep s) { return at[static_cast<int>(s)]; }
  const std::optional<int64_t>& time(OutcomeStep s) const { return at[static_cast<int>(s)]; }
};

// One step of a request seen by the pipeline, for the store to stamp.
struct OutcomeStamp {
  std::string request_id;
  std::string incident_id;
  std::string unit;
  OutcomeStep step = OutcomeStep::requested;
  int64_t at_ms = 0;
  std::string requested_by;  // set with `requested` (and on an offer, from the request)
  std::string handoff = {};  // set with `handed_off`: telehealth, crisis_line or fallback
  // With `accepted`: this unit's accept did not hold (another unit's came
  // first), so its accepted time and every later step are cleared.
  bool accept_withdrawn = false;
};

// "2026-11-22T10:00:00Z" (whole seconds, UTC) and back; the store and the
// exports write times so.
std::string utc_text(int64_t unix_ms);
std::optional<int64_t> parse_utc_text(std::string_view text);

// When the request began, as this record knows it: requested, else offered
// (a clinician's file without the officer's time), else when filed (files
// from before steps were stamped).
std::optional<int64_t> request_time(const Outcome& o);

}  // namespace mdtc::plugin
