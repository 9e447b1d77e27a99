#include "fix_tracker.h"
#include "mdtc/gps.h"
#include "nmea_decoder.h"
#include "nmea_framer.h"

namespace mdtc::gps {

struct NmeaStream::Impl {
  explicit Impl(const StreamOptions& o)
      : framer(FramerOptions{120, o.accept_missing_checksum}),
        tracker(TrackerOptions{o.end_of_cycle, o.stale_after_s}) {}
  NmeaFramer framer;
  FixTracker tracker;
  uint64_t decode_errors = 0, ignored = 0, fixes = 0;
  std::string last_error;
};

NmeaStream::NmeaStream(StreamOptions options) : impl_(std::make_unique<Impl>(options)) {}
NmeaStream::~NmeaStream() = default;
NmeaStream::NmeaStream(NmeaStream&&) noexcept = default;
NmeaStream& NmeaStream::operator=(NmeaStream&&) noexcept = default;

void NmeaStream::feed(std::string_view bytes, int64_t now_ms, const FixSink& on_fix) {
  Impl& s = *impl_;
  auto emit = [&](const Fix& fix) {
    ++s.fixes;
    if (on_fix) on_fix(fix);
  };
  s.framer.feed(bytes, [&](std::string_view body) {
    auto decoded = decode_sentence(body);
    if (!decoded) {
      ++s.decode_errors;
      s.last_error = decoded.error().code + ": " + decoded.error().message;
      return;
    }
    if (decoded->type == SentenceType::unknown) {
      ++s.ignored;
      return;
    }
    s.tracker.add(*decoded, now_ms, emit);
  });
}

void NmeaStream::finish(const FixSink& on_fix) {
  impl_->tracker.flush([&](const Fix& fix) {
    ++impl_->fixes;
    if (on_fix) on_fix(fix);
  });
}

void NmeaStream::reset_framing() { impl_->framer.reset(); }

bool NmeaStream::stale(int64_t now_ms) const { return impl_->tracker.stale(now_ms); }

std::optional<int64_t> NmeaStream::stale_at() const { return impl_->tracker.stale_at(); }

const std::string& NmeaStream::last_error() const { return impl_->last_error; }

NmeaCounters NmeaStream::counters() const {
  const auto& f = impl_->framer.counters();
  NmeaCounters c;
  c.bytes = f.bytes;
  c.sentences = f.sentences;
  c.checksum_errors = f.checksum_errors;
  c.missing_checksum = f.missing_checksum;
  c.overlong = f.overlong;
  c.fragments = f.fragments;
  c.noise_bytes = f.noise_bytes;
  c.decode_errors = impl_->decode_errors;
  c.ignored = impl_->ignored;
  c.fixes = impl_->fixes;
  return c;
}

}  // namespace mdtc::gps
