// The co-responder on-duty schedule: one shift a line,
//   UNIT | DAYS | HH:MM-HH:MM | display name
// e.g. "CR-7 | Mon-Fri | 08:00-20:00 | CR-7 (Clinician)". Pure: text in,
// shifts and every bad line out.
#include <array>
#include <cctype>
#include <optional>

#include "mdtc/config.h"
#include "value_rules.h"

namespace mdtc::config {
namespace {

constexpr std::size_t kMaxShifts = 1000;
// Loader problems read "config FILE:LINE: ..."; parse_duty_schedule's error
// names the schedule file alone.
constexpr std::string_view kConfigPrefix = "config ";
constexpr std::array<std::string_view, 7> kDayNames = {"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

int day_index(std::string_view name) {
  const std::string u = upper(trim(name));
  for (std::size_t i = 0; i < kDayNames.size(); ++i) {
    if (u == kDayNames[i]) return static_cast<int>(i);
  }
  return -1;
}

// "Mon-Fri", "Sat,Sun", "Mon,Wed-Fri", "Daily" or "*". Ranges may wrap
// ("Fri-Mon").
std::optional<unsigned> parse_days(std::string_view text) {
  const std::string u = upper(trim(text));
  if (u == "DAILY" || u == "*") return 0x7Fu;
  unsigned days = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto dash = item.find('-');
    const int first = day_index(item.substr(0, dash));
    const int last = dash == std::string_view::npos ? first : day_index(item.substr(dash + 1));
    if (first < 0 || last < 0) return std::nullopt;
    for (int d = first;; d = (d + 1) % 7) {
      days |= 1u << d;
      if (d == last) break;
    }
  }
  if (days == 0) return std::nullopt;
  return days;
}

// "HH:MM" with 00:00..24:00.
std::optional<int> parse_clock(std::string_view text) {
  text = trim(text);
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
  }
  const int h = (text[0] - '0') * 10 + (text[1] - '0');
  const int m = (text[3] - '0') * 10 + (text[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  for (;;) {
    const auto bar = line.find('|');
    fields.push_back(trim(line.substr(0, bar)));
    if (bar == std::string_view::npos) return fields;
    line = line.substr(bar + 1);
  }
}

}  // namespace

std::vector<DutyShift> read_duty_schedule(std::string_view text, const std::string& origin,
                                          std::vector<Problem>& problems) {
  std::vector<DutyShift> shifts;
  int line_no = 0;
  // Every bad line is reported, as for the INI files: one edit, one check.
  auto fail = [&](const std::string& what) {
    problems.push_back({"config.bad_schedule", origin, line_no, "coresponder.schedule_file",
                        std::string(kConfigPrefix) + origin + ":" + std::to_string(line_no) + ": " + what});
  };
  while (!text.empty()) {
    ++line_no;
    const auto nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (!detail::is_text(line, 512)) {
      fail("control characters or a line over 512 bytes");
      continue;
    }

    const auto fields = split_fields(line);
    if (fields.size() < 3 || fields.size() > 4) {
      fail("expected UNIT | DAYS | HH:MM-HH:MM | NAME (the name may be left out)");
      continue;
    }
    DutyShift shift;
    shift.line = line_no;
    shift.unit = std::string(fields[0]);
    bool ok = true;
    if (!detail::is_unit_id(shift.unit)) {
      fail("unit \"" + shift.unit + "\": expected 1 to 32 letters, digits, '-' or '_'");
      ok = false;
    }
    auto days = parse_days(fields[1]);
    if (!days) {
      fail("days \"" + std::string(fields[1]) +
           "\": expected Mon..Sun, ranges and lists such as Mon-Fri or Sat,Sun, or Daily");
      ok = false;
    }
    const auto dash = fields[2].find('-');
    auto start = parse_clock(fields[2].substr(0, dash));
    auto end = dash == std::string_view::npos ? std::nullopt : parse_clock(fields[2].substr(dash + 1));
    if (!start || !end || *start == 1440) {
      fail("hours \"" + std::string(fields[2]) + "\": expected HH:MM-HH:MM, such as 08:00-20:00 or 20:00-08:00");
      ok = false;
    }
    if (fields.size() == 4) shift.name = std::string(fields[3]);
    if (shift.name.size() > 64) {
      fail("name: expected at most 64 bytes");
      ok = false;
    }
    if (!ok) continue;
    if (shifts.size() == kMaxShifts) {
      fail("more than 1000 shifts");
      break;  // one sentence is enough for a file that is not a schedule
    }
    shift.days = *days;
    shift.start_min = *start;
    shift.end_min = *end;
    shifts.push_back(std::move(shift));
  }
  return shifts;
}

Result<std::vector<DutyShift>> parse_duty_schedule(std::string_view text, const std::string& origin) {
  std::vector<Problem> problems;
  auto shifts = read_duty_schedule(text, origin, problems);
  if (problems.empty()) return shifts;
  std::string message;
  for (const auto& p : problems) {
    if (!message.empty()) message += '\n';
    message.append(p.message, kConfigPrefix.size());
  }
  return make_error("config.bad_schedule", message);
}

std::vector<const DutyShift*> on_duty(const std::vector<DutyShift>& schedule, int weekday, int minute) {
  std::vector<const DutyShift*> out;
  const int yesterday = (weekday + 6) % 7;
  for (const auto& s : schedule) {
    const bool starts_today = (s.days >> weekday) & 1u;
    bool on;
    if (s.end_min > s.start_min) {
      on = starts_today && minute >= s.start_min && minute < s.end_min;
    } else {  // runs past midnight (equal start and end: a 24-hour shift)
      on = (starts_today && minute >= s.start_min) || (((s.days >> yesterday) & 1u) && minute < s.end_min);
    }
    if (!on) continue;
    bool seen = false;
    for (const auto* o : out) seen = seen || o->unit == s.unit;
    if (!seen) out.push_back(&s);
  }
  return out;
}

}  // namespace mdtc::config
