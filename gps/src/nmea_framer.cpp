#include "nmea_framer.h"

namespace mdtc::gps {

namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;  // some Magellan units print lower case
  return -1;
}

}  // namespace

int parse_hex_byte(std::string_view two) noexcept {
  if (two.size() != 2) return -1;
  const int hi = hex_value(two[0]), lo = hex_value(two[1]);
  return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
}

uint8_t nmea_checksum(std::string_view text) noexcept {
  uint8_t sum = 0;
  for (char c : text) sum = static_cast<uint8_t>(sum ^ static_cast<uint8_t>(c));
  return sum;
}

NmeaFramer::NmeaFramer(FramerOptions options) : options_(options) {
  line_.reserve(options_.max_length + 1);
}

void NmeaFramer::reset() noexcept {
  line_.clear();
  sum_ = 0;
  in_sentence_ = false;
  discarding_ = false;
}

void NmeaFramer::start_sentence() noexcept {
  line_.clear();
  sum_ = 0;
  in_sentence_ = true;
  discarding_ = false;
}

bool NmeaFramer::end_of_body(unsigned char c, std::string_view& body) {
  if (c == '$') {
    // A new start inside a sentence means the previous one was cut short
    // (run-together sentences, or the doubled "$$" some ST chips print).
    if (!line_.empty()) ++counters_.fragments;
    start_sentence();
    return false;
  }
  in_sentence_ = false;
  if (c == '\r' || c == '\n') return finish_line(body);
  // NMEA is printable ASCII; a control or 8-bit byte means line noise or
  // a wrong baud rate, and the sentence cannot be trusted.
  ++counters_.fragments;
  ++counters_.noise_bytes;
  line_.clear();
  return false;
}

const char* NmeaFramer::between_sentences(const char* p, const char* end) noexcept {
  if (discarding_) {
    // The rest of an over-long line is dropped without counting it as noise.
    for (; p < end; ++p) {
      const char c = *p;
      if (c == '$') {
        start_sentence();
        return p + 1;
      }
      if (c == '\r' || c == '\n') {
        discarding_ = false;
        return p + 1;
      }
    }
    return end;
  }
  // CR and LF here are the other half of CR LF, or blank lines.
  for (; p < end; ++p) {
    const char c = *p;
    if (c == '$') {
      start_sentence();
      return p + 1;
    }
    if (c != '\r' && c != '\n') ++counters_.noise_bytes;
  }
  return end;
}

bool NmeaFramer::finish_line(std::string_view& body) {
  std::string_view line(line_);
  uint8_t sum = sum_;
  // Trailing blanks after the checksum happen on some receivers.
  while (!line.empty() && line.back() == ' ') {
    line.remove_suffix(1);
    sum ^= static_cast<uint8_t>(' ');
  }
  if (line.empty()) {
    ++counters_.fragments;
    return false;
  }
  const auto star = line.rfind('*');
  if (star == std::string_view::npos) {
    if (!options_.accept_missing_checksum) {
      ++counters_.missing_checksum;
      return false;
    }
    body = line;
    ++counters_.sentences;
    return true;
  }
  const std::string_view hex = line.substr(star + 1);
  if (hex.empty() && !options_.accept_missing_checksum) {
    ++counters_.missing_checksum;  // "...,*": a '*' with nothing after it
    return false;
  }
  if (!hex.empty()) {
    const int given = parse_hex_byte(hex);
    // sum covers the whole line: take out the '*' and what follows it.
    const uint8_t body_sum = static_cast<uint8_t>(sum ^ nmea_checksum(line.substr(star)));
    if (given < 0 || body_sum != given) {
      ++counters_.checksum_errors;
      return false;
    }
  }
  body = line.substr(0, star);
  ++counters_.sentences;
  return true;
}

}  // namespace mdtc::gps
