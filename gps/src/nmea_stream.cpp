#include <algorithm>

#include "fix_tracker.h"
#include "mdtc/gps.h"
#include "nmea_decoder.h"
#include "nmea_fields.h"
#include "nmea_framer.h"
#include "taip_decoder.h"
#include "taip_framer.h"

namespace mdtc::gps {

namespace {

constexpr int64_t kDayMs = 86'400'000;

// The date that puts time_of_day_ms nearest utc_ms: a report from just
// before midnight read just after it belongs to the day before.
CivilDate date_near(int64_t utc_ms, int32_t time_of_day_ms) {
  int64_t day = utc_ms >= 0 ? utc_ms / kDayMs : (utc_ms - kDayMs + 1) / kDayMs;
  const int64_t at = day * kDayMs + time_of_day_ms;
  if (at - utc_ms > kDayMs / 2) --day;
  if (utc_ms - at > kDayMs / 2) ++day;
  return civil_from_days(day);
}

}  // namespace

const char* protocol_name(Protocol protocol) noexcept {
  switch (protocol) {
    case Protocol::nmea: return "NMEA";
    case Protocol::taip: return "TAIP";
    case Protocol::unknown: break;
  }
  return "unknown";
}

struct NmeaStream::Impl {
  explicit Impl(const StreamOptions& o)
      : framer(FramerOptions{120, o.accept_missing_checksum}),
        tracker(TrackerOptions{o.end_of_cycle, o.stale_after_s}) {}
  NmeaFramer framer;
  TaipFramer taip;
  FixTracker tracker;
  Protocol protocol = Protocol::unknown;
  std::optional<int64_t> utc_hint;
  // Noise is counted once, though two framers look at the bytes: before
  // the protocol is known a byte is noise only if both say so (at most the
  // smaller count); once it is known, the noise its framer counted since
  // the last reset. Earlier connections' noise is kept in noise_before.
  uint64_t noise_before = 0;
  uint64_t nmea_noise_mark = 0, taip_noise_mark = 0;  // at the last reset

  uint64_t session_noise() const {
    const uint64_t n = framer.counters().noise_bytes - nmea_noise_mark;
    const uint64_t t = taip.counters().noise_bytes - taip_noise_mark;
    if (protocol == Protocol::nmea) return n;
    if (protocol == Protocol::taip) return t;
    return std::min(n, t);
  }
  void lock(Protocol p) {
    if (protocol == Protocol::unknown) protocol = p;
  }
  uint64_t bytes = 0, decode_errors = 0, ignored = 0, fixes = 0;
  std::string last_error;

  template <class Emit>
  void take(Result<Decoded> decoded, int64_t now_ms, Emit& emit) {
    if (!decoded) {
      ++decode_errors;
      last_error = decoded.error().code + ": " + decoded.error().message;
      return;
    }
    if (decoded->type == SentenceType::unknown) {
      ++ignored;
      return;
    }
    tracker.add(*decoded, now_ms, emit);
  }
};

NmeaStream::NmeaStream(StreamOptions options) : impl_(std::make_unique<Impl>(options)) {}
NmeaStream::~NmeaStream() = default;
NmeaStream::NmeaStream(NmeaStream&&) noexcept = default;
NmeaStream& NmeaStream::operator=(NmeaStream&&) noexcept = default;

void NmeaStream::feed(std::string_view bytes, int64_t now_ms, const FixSink& on_fix) {
  Impl& s = *impl_;
  s.bytes += bytes.size();
  auto emit = [&](const Fix& fix) {
    ++s.fixes;
    if (on_fix) on_fix(fix);
  };
  // Until one protocol has produced a good message both framers see the
  // bytes; afterwards only that one, so the other does not count the
  // stream as noise.
  if (s.protocol != Protocol::taip) {
    s.framer.feed(bytes, [&](std::string_view body) {
      s.lock(Protocol::nmea);
      s.take(decode_sentence(body), now_ms, emit);
    });
  }
  if (s.protocol != Protocol::nmea) {
    s.taip.feed(bytes, [&](std::string_view body) {
      s.lock(Protocol::taip);
      auto decoded = decode_taip(body);
      if (decoded && decoded->has(kTime) && !decoded->has(kDate) && s.utc_hint) {
        decoded->date = date_near(*s.utc_hint, decoded->time_of_day_ms);
        decoded->set |= kDate;
      }
      s.take(std::move(decoded), now_ms, emit);
    });
  }
}

void NmeaStream::finish(const FixSink& on_fix) {
  impl_->tracker.flush([&](const Fix& fix) {
    ++impl_->fixes;
    if (on_fix) on_fix(fix);
  });
}

void NmeaStream::reset_framing() {
  impl_->framer.reset();
  impl_->taip.reset();
  impl_->noise_before += impl_->session_noise();
  impl_->protocol = Protocol::unknown;
  impl_->nmea_noise_mark = impl_->framer.counters().noise_bytes;
  impl_->taip_noise_mark = impl_->taip.counters().noise_bytes;
}

Protocol NmeaStream::protocol() const { return impl_->protocol; }

void NmeaStream::set_utc_hint(int64_t utc_ms) { impl_->utc_hint = utc_ms; }

bool NmeaStream::stale(int64_t now_ms) const { return impl_->tracker.stale(now_ms); }

std::optional<int64_t> NmeaStream::stale_at() const { return impl_->tracker.stale_at(); }

const std::string& NmeaStream::last_error() const { return impl_->last_error; }

NmeaCounters NmeaStream::counters() const {
  // Both framers' counts (each sees only its own protocol's markers, so
  // they do not overlap), except noise: see Impl.
  const auto& n = impl_->framer.counters();
  const auto& t = impl_->taip.counters();
  NmeaCounters c;
  c.bytes = impl_->bytes;
  c.sentences = n.sentences + t.sentences;
  c.checksum_errors = n.checksum_errors + t.checksum_errors;
  c.missing_checksum = n.missing_checksum + t.missing_checksum;
  c.overlong = n.overlong + t.overlong;
  c.fragments = n.fragments + t.fragments;
  c.noise_bytes = impl_->noise_before + impl_->session_noise();
  c.decode_errors = impl_->decode_errors;
  c.ignored = impl_->ignored;
  c.fixes = impl_->fixes;
  return c;
}

}  // namespace mdtc::gps
