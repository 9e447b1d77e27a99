#include "outcome_export.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cmath>

namespace mdtc::plugin {
namespace {

constexpr int64_t kHourMs = 3600 * 1000;

// One exported value: text, a whole number, or nothing (null in JSON, an
// empty CSV field).
struct Cell {
  std::optional<std::string> text;
  std::optional<int64_t> number;
};

int64_t floor_to_hour(int64_t ms) { return ms - ((ms % kHourMs) + kHourMs) % kHourMs; }

Cell time_cell(std::optional<int64_t> ms, bool deidentified) {
  if (!ms) return {};
  return {utc_text(deidentified ? floor_to_hour(*ms) : *ms), std::nullopt};
}

// Whole minutes from the request to a later step; a step stamped before the
// request (clocks of two cars) gives nothing rather than a negative figure.
Cell minutes_cell(const Outcome& o, OutcomeStep step) {
  const auto from = request_time(o);
  const auto to = o.time(step);
  if (!from || !to || *to < *from) return {};
  return {std::nullopt, static_cast<int64_t>(std::llround(static_cast<double>(*to - *from) / 60000.0))};
}

std::vector<Cell> row(const Outcome& o, const ExportOptions& opt) {
  std::vector<Cell> cells;
  if (!opt.deidentified) {
    cells.push_back({o.request_id, {}});
    cells.push_back({o.incident_id, {}});
    cells.push_back({o.unit, {}});
  }
  cells.push_back({o.requested_by, {}});
  // The hand-off came later than the other steps: its columns go last, so
  // a spreadsheet made before it still finds every column where it was.
  constexpr int kHandedOff = static_cast<int>(OutcomeStep::handed_off);
  for (int s = 0; s < kHandedOff; ++s) cells.push_back(time_cell(o.at[s], opt.deidentified));
  cells.push_back(minutes_cell(o, OutcomeStep::on_scene));
  cells.push_back(minutes_cell(o, OutcomeStep::officer_released));
  for (const auto& f : outcome_fields()) cells.push_back({o.code(f.id), {}});
  if (!opt.deidentified && opt.notes) cells.push_back({o.note, {}});
  const auto filed = parse_utc_text(o.recorded_at);
  cells.push_back(filed ? time_cell(filed, opt.deidentified)
                        : Cell{opt.deidentified || o.recorded_at.empty() ? std::nullopt
                                                                         : std::optional(o.recorded_at),
                               {}});
  cells.push_back(o.handoff.empty() ? Cell{std::nullopt, {}} : Cell{o.handoff, {}});
  cells.push_back(time_cell(o.at[kHandedOff], opt.deidentified));
  return cells;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::vector<Outcome> in_period(const std::vector<Outcome>& records, std::optional<int64_t> from,
                               std::optional<int64_t> to) {
  std::vector<Outcome> out;
  for (const auto& o : records) {
    const auto t = request_time(o);
    if ((from || to) && !t) continue;
    if (from && *t < *from) continue;
    if (to && *t >= *to) continue;
    out.push_back(o);
  }
  return out;
}

Result<int64_t> parse_period_bound(std::string_view text, const std::string& option) {
  std::string s(text);
  if (s.size() == 10) s += "T00:00:00Z";  // a date: its midnight, UTC
  if (auto t = parse_utc_text(s)) return *t;
  return make_error("outcomes.bad_period", option + " = '" + std::string(text) +
                                               "': expected a UTC date (2026-11-01) or an RFC 3339 "
                                               "time (2026-11-01T08:00:00Z)");
}

std::vector<std::string> export_columns(const ExportOptions& opt) {
  std::vector<std::string> cols;
  if (!opt.deidentified) cols = {"request_id", "incident_id", "unit"};
  cols.push_back("requested_by");
  for (int s = 0; s < static_cast<int>(OutcomeStep::handed_off); ++s)
    cols.push_back(std::string(to_string(static_cast<OutcomeStep>(s))) + "_at");
  cols.push_back("minutes_to_on_scene");
  cols.push_back("minutes_to_officer_released");
  for (const auto& f : outcome_fields()) cols.push_back(f.id);
  if (!opt.deidentified && opt.notes) cols.push_back("note");
  cols.push_back("recorded_at");
  cols.push_back("handoff");
  cols.push_back("handed_off_at");
  return cols;
}

void write_outcomes_csv(const std::vector<Outcome>& records, const ExportOptions& opt,
                        std::ostream& csv) {
  const auto cols = export_columns(opt);
  for (std::size_t i = 0; i < cols.size(); ++i) csv << (i ? "," : "") << cols[i];
  csv << "\r\n";
  for (const auto& o : records) {
    const auto cells = row(o, opt);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i) csv << ',';
      if (cells[i].text) csv << csv_field(*cells[i].text);
      else if (cells[i].number) csv << *cells[i].number;
    }
    csv << "\r\n";
  }
}

void write_outcomes_json(const std::vector<Outcome>& records, const ExportOptions& opt,
                         std::ostream& json) {
  const auto cols = export_columns(opt);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const auto& o : records) {
    Poco::JSON::Object::Ptr obj = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    const auto cells = row(o, opt);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].text) obj->set(cols[i], *cells[i].text);
      else if (cells[i].number) obj->set(cols[i], *cells[i].number);
      else obj->set(cols[i], Poco::Dynamic::Var());
    }
    list->add(obj);
  }
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("deidentified", opt.deidentified);
  root.set("records", list);
  root.stringify(json);
  json << "\n";
}

}  // namespace mdtc::plugin
