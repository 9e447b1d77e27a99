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
// Exactly two hex digits (either case: some Magellan units print lower
// case) -> 0..255; anything else -> -1. TAIP shares the notation.
int parse_hex_byte(std::string_view two) noexcept;

class NmeaFramer {
 public:
  explicit NmeaFramer(FramerOptions options = {});

  // Feeds bytes; calls on_sentence(body) for each complete, checked
  // sentence. body is the text between '$' and '*' ("GPGGA,123519,..."),
  // valid only during the call.
  //
  // Works on runs rather than single bytes: a sentence's body is scanned
  // for its end and appended in one piece, and the gaps between sentences
  // are skipped with one scan, so the cost per byte is a compare.
  template <class F>
  void feed(std::string_view bytes, F&& on_sentence) {
    counters_.bytes += bytes.size();
    const char* p = bytes.data();
    const char* const end = p + bytes.size();
    while (p < end) {
      if (in_sentence_) {
        // The checksum is accumulated on the way, so finish_line need not
        // pass over the body again.
        const char* q = p;
        uint8_t sum = sum_;
        while (q < end && is_body_char(static_cast<unsigned char>(*q))) sum ^= static_cast<uint8_t>(*q++);
        const std::size_t run = static_cast<std::size_t>(q - p);
        // +1 for the '$' that is not stored: a line reaches max_length
        // at the byte that would make line_ max_length - 1 long.
        const std::size_t room = options_.max_length > line_.size() + 1 ? options_.max_length - 1 - line_.size() : 0;
        if (run > room) {
          ++counters_.overlong;
          line_.clear();
          in_sentence_ = false;
          discarding_ = true;
          p += room + 1;
          continue;
        }
        line_.append(p, run);
        sum_ = sum;
        p = q;
        if (p == end) break;
        std::string_view body;
        if (end_of_body(static_cast<unsigned char>(*p++), body)) on_sentence(body);
      } else {
        p = between_sentences(p, end);
      }
    }
  }
  const FramerCounters& counters() const noexcept { return counters_; }
  // Forgets a half-received sentence (e.g. after the port was reopened).
  void reset() noexcept;

 private:
  // Printable ASCII other than '$': what a sentence body is made of.
  static bool is_body_char(unsigned char c) noexcept { return c >= 0x20 && c <= 0x7e && c != '$'; }
  // The byte that ended a body run ('$', CR, LF or a control/8-bit byte);
  // returns true and sets body when a sentence completes.
  bool end_of_body(unsigned char c, std::string_view& body);
  // Outside a sentence (noise, or the rest of an over-long line): skips to
  // just past the next '$' (starting a sentence) or line end; returns where
  // it stopped.
  const char* between_sentences(const char* p, const char* end) noexcept;
  void start_sentence() noexcept;
  bool finish_line(std::string_view& body);

  FramerOptions options_;
  FramerCounters counters_;
  std::string line_;  // from '$' (exclusive) on
  uint8_t sum_ = 0;   // XOR of every byte in line_
  bool in_sentence_ = false;
  bool discarding_ = false;  // inside an over-long line: drop until EOL or '$'
};

}  // namespace mdtc::gps
