#include "fix_tracker.h"

namespace mdtc::gps {

namespace {

constexpr int32_t kDayMs = 86'400'000;

SentenceType type_from_name(const std::string& name) {
  for (auto t : {SentenceType::gga, SentenceType::rmc, SentenceType::gns, SentenceType::gll,
                 SentenceType::vtg, SentenceType::gsa, SentenceType::zda}) {
    if (name == sentence_type_name(t)) return t;
  }
  return SentenceType::unknown;
}

}  // namespace

FixTracker::FixTracker(TrackerOptions options) : options_(std::move(options)) {
  ender_type_ = type_from_name(options_.end_of_cycle);
  if (ender_type_ != SentenceType::unknown) ender_ = options_.end_of_cycle;
}

bool FixTracker::stale(int64_t now_ms) const noexcept {
  return !last_valid_ms_ || now_ms - *last_valid_ms_ > int64_t{options_.stale_after_s} * 1000;
}

std::optional<int64_t> FixTracker::stale_at() const noexcept {
  if (!last_valid_ms_) return std::nullopt;
  return *last_valid_ms_ + int64_t{options_.stale_after_s} * 1000 + 1;
}

void FixTracker::learn_ender(SentenceType closing_type) {
  if (!options_.end_of_cycle.empty() || closing_type == SentenceType::unknown) return;
  if (closing_type == ender_candidate_) {
    ++ender_hits_;
  } else {
    ender_candidate_ = closing_type;
    ender_hits_ = 1;
  }
  // Two cycles in a row ending the same way; a receiver that changes its
  // sentence mix (fix lost, rate changed) re-learns after two cycles.
  if (ender_hits_ >= 2) {
    ender_type_ = ender_candidate_;
    ender_ = sentence_type_name(ender_type_);
  } else {
    ender_type_ = SentenceType::unknown;
    ender_.clear();
  }
}

// A sentence with a new time of day closes the open epoch.
bool FixTracker::begin(const Decoded& d, Fix& out) {
  if (!d.has(kTime)) return false;
  if (epoch_.open && epoch_.timed && epoch_.tod_ms == d.time_of_day_ms) return false;
  bool emitted = false;
  if (epoch_.open && epoch_.timed) {
    learn_ender(epoch_.last_type);
    emitted = close(out);
  } else if (epoch_.open) {
    // Time-less sentences (GSA, VTG) that came before the first timed one
    // belong to this epoch.
    epoch_.timed = true;
    epoch_.tod_ms = d.time_of_day_ms;
    return false;
  }
  epoch_ = Epoch{};
  epoch_.open = true;
  epoch_.timed = true;
  epoch_.tod_ms = d.time_of_day_ms;
  return emitted;
}

bool FixTracker::merge(const Decoded& d, int64_t now_ms, Fix& out) {
  if (d.type == SentenceType::unknown) return false;
  Epoch& e = epoch_;
  e.open = true;
  e.last_type = d.type;
  if (!e.first_ms) e.first_ms = now_ms;
  e.last_ms = now_ms;
  if (d.has(kDate)) e.date = d.date;
  if (d.has(kValidity)) (d.valid ? e.said_valid : e.said_invalid) = true;
  bool news = false;
  if (d.has(kPosition)) {
    // Last sentence wins, as in gpsd: GGA and RMC of one epoch carry the
    // same position, sometimes at different precision.
    // Fresh once per epoch, by its first position. Found from outside: a
    // receiver that kept sending valid sentences with one frozen second and
    // position was "GPS OK" for as long as it did, because every sentence
    // of that one endless epoch counted as a new fix.
    if (!e.position || !e.timed) last_valid_ms_ = now_ms;
    e.position = true;
    e.lat = d.lat;
    e.lon = d.lon;
    news = true;
  }
  if (d.has(kAltitude)) e.alt = d.alt_m, news = true;
  if (d.has(kSpeed)) e.speed = d.speed_mps, news = true;
  if (d.has(kCourse)) e.course = d.course_deg, news = true;
  if (d.has(kHdop)) e.hdop = d.hdop;
  if (d.has(kSatellites)) e.satellites = d.satellites;
  if (d.has(kFixType)) e.fix_type = d.fix_type;
  if (d.has(kValidity) || d.has(kDate)) news = true;
  if (news && e.emitted) e.dirty = true;
  if ((d.type == ender_type_ || d.whole_cycle) && e.timed && !e.emitted) {
    out = build(e);
    e.emitted = true;
    e.dirty = false;
    return true;
  }
  return false;
}

bool FixTracker::close(Fix& out) {
  if (!epoch_.open || !epoch_.timed) return false;
  // A frozen second closed at last (the receiver lost its fix, or its time
  // moved on) is old news: reported then, its position went out as current.
  const bool frozen =
      epoch_.first_ms && epoch_.last_ms - *epoch_.first_ms > int64_t{options_.stale_after_s} * 1000;
  const bool report = !frozen && (!epoch_.emitted || epoch_.dirty);
  if (report) out = build(epoch_);
  epoch_.emitted = true;
  epoch_.dirty = false;
  return report;
}

Fix FixTracker::build(const Epoch& e) {
  Fix fix;
  // Date: the epoch's own (RMC, ZDA), else the last known one, moved on a
  // day when the time of day went back by more than half a day (midnight;
  // a receiver repeating an old second goes back by seconds, not hours).
  std::optional<CivilDate> date = e.date;
  if (!date && date_) {
    date = *date_;
    if (e.tod_ms + kDayMs / 2 < date_tod_ms_) date = civil_from_days(days_from_civil(*date_) + 1);
  }
  if (date) {
    date_ = date;
    date_tod_ms_ = e.tod_ms;
    fix.time_ms = days_from_civil(*date) * int64_t{kDayMs} + e.tod_ms;
  }
  if (e.position) {
    fix.lat = e.lat;
    fix.lon = e.lon;
    // GGA/GNS altitude with a fix means 3D even when GSA says 2D: receivers
    // that print one GSA per constellation (CH-4711, Telit PLS83) report
    // each system's share, which understates the combined solution; gpsd
    // decides the same way.
    const bool three_d = (e.fix_type && *e.fix_type == 3) || e.alt.has_value();
    fix.mode = three_d ? Mode::fix_3d : Mode::fix_2d;
    if (three_d) fix.alt_m = e.alt;
    fix.speed_mps = e.speed;
    fix.course_deg = e.course;
  } else if (e.said_invalid || (e.fix_type && *e.fix_type == 1)) {
    fix.mode = Mode::no_fix;
  }
  fix.hdop = e.hdop;
  fix.satellites = e.satellites;
  return fix;
}

}  // namespace mdtc::gps
