// Merges the sentences of one receiver cycle ("epoch": every sentence with
// the same UTC time of day, plus the time-less VTG/GSA between them) into
// one Fix, and keeps the calendar date across midnight.
//
// An epoch is emitted when the next time of day appears, or as soon as the
// sentence type that ends the receiver's cycle arrives: that type is either
// configured or learned (the same type closed the last two cycles), which
// saves a whole cycle of latency on a moving car.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mdtc/gps.h"
#include "nmea_decoder.h"

namespace mdtc::gps {

struct TrackerOptions {
  // Sentence type that ends each cycle ("RMC", "VTG"...); empty = learn it.
  std::string end_of_cycle;
  int stale_after_s = 10;
};

class FixTracker {
 public:
  explicit FixTracker(TrackerOptions options = {});

  // now_ms is any monotonic clock, used only for staleness, so tests can
  // pass plain numbers. on_fix(const Fix&) is called 0..2 times.
  template <class F>
  void add(const Decoded& d, int64_t now_ms, F&& on_fix) {
    Fix out;
    if (begin(d, out)) on_fix(static_cast<const Fix&>(out));
    if (merge(d, now_ms, out)) on_fix(static_cast<const Fix&>(out));
  }

  // Emits the open epoch if it has anything not yet reported (end of input).
  template <class F>
  void flush(F&& on_fix) {
    Fix out;
    if (close(out)) on_fix(static_cast<const Fix&>(out));
  }

  // True when no valid position arrived within stale_after_s of now_ms.
  bool stale(int64_t now_ms) const noexcept;
  // The first now_ms at which stale() turns true; nullopt before any valid
  // position.
  std::optional<int64_t> stale_at() const noexcept;
  const std::string& learned_end_of_cycle() const noexcept { return ender_; }

 private:
  struct Epoch {
    bool open = false;
    bool timed = false;
    int32_t tod_ms = 0;
    std::optional<CivilDate> date;
    bool position = false, said_invalid = false, said_valid = false;
    // now_ms of the epoch's first and latest sentence: an epoch that lasts
    // longer than stale_after_s is a receiver repeating one second.
    std::optional<int64_t> first_ms;
    int64_t last_ms = 0;
    double lat = 0, lon = 0;
    std::optional<double> alt, speed, course, hdop;
    std::optional<int> satellites, fix_type;
    SentenceType last_type = SentenceType::unknown;
    bool emitted = false, dirty = false;
  };

  bool begin(const Decoded& d, Fix& out);
  bool merge(const Decoded& d, int64_t now_ms, Fix& out);
  bool close(Fix& out);
  Fix build(const Epoch& e);
  void learn_ender(SentenceType closing_type);

  TrackerOptions options_;
  Epoch epoch_;
  // Last calendar date known and the time of day it applied to, so a
  // time-only sentence after midnight gets the next day.
  std::optional<CivilDate> date_;
  int32_t date_tod_ms_ = 0;
  std::string ender_;
  SentenceType ender_type_ = SentenceType::unknown;
  SentenceType ender_candidate_ = SentenceType::unknown;
  int ender_hits_ = 0;
  std::optional<int64_t> last_valid_ms_;
};

}  // namespace mdtc::gps
