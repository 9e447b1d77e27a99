#include "outcome_summary.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace mdtc::plugin {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

void collect(const Outcome& o, OutcomeStep step, std::vector<double>& into) {
  const auto from = request_time(o);
  const auto to = o.time(step);
  // A step before the request is two cars' clocks disagreeing, not a time.
  if (from && to && *to >= *from) into.push_back(static_cast<double>(*to - *from) / 1000.0);
}

std::string minutes_text(const std::optional<double>& s) {
  if (!s) return "-";
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << *s / 60.0 << " min";
  return out.str();
}

void write_duration(std::ostream& out, const char* what, const DurationStats& d) {
  out << what << ": ";
  if (d.count == 0) {
    out << "no records with both times\n";
    return;
  }
  out << "median " << minutes_text(d.median_s) << ", 90th percentile " << minutes_text(d.p90_s)
      << " (" << d.count << " requests)\n";
}

Poco::JSON::Object::Ptr duration_json(const DurationStats& d) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("count", d.count);
  o->set("median_s", d.median_s ? Poco::Dynamic::Var(*d.median_s) : Poco::Dynamic::Var());
  o->set("p90_s", d.p90_s ? Poco::Dynamic::Var(*d.p90_s) : Poco::Dynamic::Var());
  return o;
}

}  // namespace

DurationStats duration_stats(std::vector<double> s) {
  DurationStats d;
  d.count = s.size();
  if (s.empty()) return d;
  std::sort(s.begin(), s.end());
  const std::size_t n = s.size();
  d.median_s = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
  // Nearest rank, computed in integers so 0.9 * 10 is exactly rank 9.
  const std::size_t rank = (9 * n + 9) / 10;
  d.p90_s = s[rank - 1];
  return d;
}

OutcomeSummary summarize(const std::vector<Outcome>& records) {
  OutcomeSummary sum;
  sum.records = records.size();
  for (const auto& c : outcome_field("disposition")->codes) sum.by_disposition.push_back({c.id, 0});
  std::vector<double> to_scene, to_released;
  for (const auto& o : records) {
    const std::string d = o.disposition();
    auto it = std::find_if(sum.by_disposition.begin(), sum.by_disposition.end(),
                           [&](const auto& p) { return p.first == d; });
    // A code this version does not know counts as unknown, never lost.
    if (it == sum.by_disposition.end()) it = sum.by_disposition.end() - 1;
    ++it->second;
    if (is_diversion(d)) ++sum.diverted;
    if (is_hold_or_arrest(d)) ++sum.held_or_arrested;
    collect(o, OutcomeStep::on_scene, to_scene);
    collect(o, OutcomeStep::officer_released, to_released);
    if (const auto t = request_time(o)) {
      const auto hour = static_cast<std::size_t>((((*t % kDayMs) + kDayMs) % kDayMs) / 3'600'000);
      ++(o.time(OutcomeStep::accepted) ? sum.answered : sum.unanswered)[hour];
    }
  }
  if (sum.diverted + sum.held_or_arrested > 0)
    sum.diversion_rate = static_cast<double>(sum.diverted) /
                         static_cast<double>(sum.diverted + sum.held_or_arrested);
  sum.request_to_on_scene = duration_stats(std::move(to_scene));
  sum.request_to_officer_released = duration_stats(std::move(to_released));
  return sum;
}

void write_summary_text(const OutcomeSummary& s, std::ostream& out) {
  out << "requests with a record: " << s.records << "\n";
  out << "by disposition:\n";
  for (const auto& [code, n] : s.by_disposition)
    out << "  " << std::left << std::setw(24) << code << std::right << n << "\n";
  out << "diversion rate: ";
  if (s.diversion_rate)
    out << std::fixed << std::setprecision(1) << 100.0 * *s.diversion_rate << "% (" << s.diverted
        << " diverted, " << s.held_or_arrested << " hold or arrest)\n";
  else
    out << "- (no record with a known disposition)\n";
  write_duration(out, "request to on scene", s.request_to_on_scene);
  write_duration(out, "request to officer released", s.request_to_officer_released);
  out << "requests by hour (UTC): answered / unanswered\n";
  for (int h = 0; h < 24; ++h) {
    if (s.answered[h] + s.unanswered[h] == 0) continue;
    out << "  " << std::setw(2) << std::setfill('0') << h << ":00  " << std::setfill(' ')
        << s.answered[h] << " / " << s.unanswered[h] << "\n";
  }
}

void write_summary_json(const OutcomeSummary& s, std::ostream& out) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("records", s.records);
  Poco::JSON::Object::Ptr by = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [code, n] : s.by_disposition) by->set(code, n);
  root.set("by_disposition", by);
  root.set("diverted", s.diverted);
  root.set("held_or_arrested", s.held_or_arrested);
  root.set("diversion_rate", s.diversion_rate ? Poco::Dynamic::Var(*s.diversion_rate) : Poco::Dynamic::Var());
  root.set("request_to_on_scene", duration_json(s.request_to_on_scene));
  root.set("request_to_officer_released", duration_json(s.request_to_officer_released));
  Poco::JSON::Array::Ptr answered = new Poco::JSON::Array, unanswered = new Poco::JSON::Array;
  for (int h = 0; h < 24; ++h) {
    answered->add(s.answered[h]);
    unanswered->add(s.unanswered[h]);
  }
  root.set("answered_by_hour_utc", answered);
  root.set("unanswered_by_hour_utc", unanswered);
  root.stringify(out);
  out << "\n";
}

}  // namespace mdtc::plugin
