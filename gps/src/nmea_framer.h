// Finds NMEA 0183 sentences in a raw serial byte stream and checks them.
//
// Serial lines carry noise: NUL bytes while a receiver boots, bytes cut off
// when a cable is plugged in mid-sentence, doubled "$$", sentences run
// together when a buffer overflows, banner text without checksums. The
// framer recovers at the next '$' from all of these and counts what it
// dropped, so a diagnostics command can tell a bad cable from a bad baud.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mdtc::gps {

struct FramerCounters {
  uint64_t bytes = 0;             // every byte fed
  uint64_t sentences = 0;         // passed the checksum and were handed on
  uint64_t checksum_errors = 0;   // '*hh' present but wrong or malformed
  uint64_t missing_checksum = 0;  // no '*hh' at all (rejected unless allowed)
  uint64_t overlong = 0;          // longer than FramerOptions::max_length
  uint64_t fragments = 0;         // cut short by a new '$' or a control byte
  uint64_t noise_bytes = 0;       // bytes outside any sentence
};

struct FramerOptions {
  // NMEA 0183 allows 82 characters including '$' and CR LF; real receivers
  // exceed it (RTK receivers print 8 decimals of minutes: 92-character GGA),
  // so allow slack but keep a bound: a line that never ends is noise.
  std::size_t max_length = 120;
  // gpsd rejects sentences without a checksum; so do we unless told (some
  // timing receivers omit them on every line).
  bool accept_missing_checksum = false;
};

// The checksum is the XOR of every byte strictly between '$' and '*'.
uint8_t nmea_checksum(std::string_view between_dollar_and_star) noexcept;

class NmeaFramer {
 public:
  explicit NmeaFramer(FramerOptions options = {});

  // Feeds bytes; calls on_sentence(body) for each complete, checked
  // sentence. body is the text between '$' and '*' ("GPGGA,123519,..."),
  // valid only during the call.
  template <class F>
  void feed(std::string_view bytes, F&& on_sentence) {
    for (char c : bytes) {
      std::string_view body;
      if (push(static_cast<unsigned char>(c), body)) on_sentence(body);
    }
  }

  const FramerCounters& counters() const noexcept { return counters_; }
  // Forgets a half-received sentence (e.g. after the port was reopened).
  void reset() noexcept;

 private:
  // Consumes one byte; returns true and sets body when a sentence completes.
  bool push(unsigned char c, std::string_view& body);
  bool finish_line(std::string_view& body);

  FramerOptions options_;
  FramerCounters counters_;
  std::string line_;  // from '$' (exclusive) on
  bool in_sentence_ = false;
  bool discarding_ = false;  // inside an over-long line: drop until EOL or '$'
};

}  // namespace mdtc::gps
