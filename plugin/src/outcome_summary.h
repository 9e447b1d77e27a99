// The figures a co-responder program reports, computed from outcome records
// as plain values (no file, no clock), then written as text or JSON.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "outcome_record.h"

namespace mdtc::plugin {

// Durations in seconds over the records that have both ends.
struct DurationStats {
  std::size_t count = 0;
  std::optional<double> median_s;  // the middle value; the mean of the two middle ones for an even count
  std::optional<double> p90_s;     // nearest rank: the ceil(0.9 * count)-th smallest
};
DurationStats duration_stats(std::vector<double> seconds);

struct OutcomeSummary {
  std::size_t records = 0;
  // Every disposition code, in outcome_fields() order, "unknown" last.
  std::vector<std::pair<std::string, std::size_t>> by_disposition;
  // Diversion: resolved on scene, voluntary transport, referral made,
  // connected to services; against involuntary hold and arrest. Unknown
  // dispositions are in neither.
  std::size_t diverted = 0;
  std::size_t held_or_arrested = 0;
  std::optional<double> diversion_rate;  // diverted / (diverted + held_or_arrested)
  DurationStats request_to_on_scene;
  DurationStats request_to_officer_released;
  // By the UTC hour of request_time(): answered = a clinician accepted
  // (this file saw an accept), else unanswered.
  std::array<std::size_t, 24> answered{};
  std::array<std::size_t, 24> unanswered{};
};

OutcomeSummary summarize(const std::vector<Outcome>& records);
void write_summary_text(const OutcomeSummary& summary, std::ostream& out);
void write_summary_json(const OutcomeSummary& summary, std::ostream& out);

}  // namespace mdtc::plugin
