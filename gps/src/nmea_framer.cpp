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
  in_sentence_ = false;
  discarding_ = false;
}

bool NmeaFramer::push(unsigned char c, std::string_view& body) {
  ++counters_.bytes;
  if (c == '$') {
    // A new start inside a sentence means the previous one was cut short
    // (run-together sentences, or the doubled "$$" some ST chips print).
    if (in_sentence_ && !line_.empty()) ++counters_.fragments;
    line_.clear();
    in_sentence_ = true;
    discarding_ = false;
    return false;
  }
  if (c == '\r' || c == '\n') {
    if (discarding_) {
      discarding_ = false;
      return false;
    }
    if (!in_sentence_) return false;  // the other half of CR LF, or blank lines
    in_sentence_ = false;
    return finish_line(body);
  }
  if (!in_sentence_) {
    if (!discarding_) ++counters_.noise_bytes;
    return false;
  }
  if (c < 0x20 || c > 0x7e) {
    // NMEA is printable ASCII; a control or 8-bit byte means line noise or
    // a wrong baud rate, and the sentence cannot be trusted.
    ++counters_.fragments;
    ++counters_.noise_bytes;
    line_.clear();
    in_sentence_ = false;
    return false;
  }
  // +1 for the '$' that is not stored.
  if (line_.size() + 1 >= options_.max_length) {
    ++counters_.overlong;
    line_.clear();
    in_sentence_ = false;
    discarding_ = true;
    return false;
  }
  line_.push_back(static_cast<char>(c));
  return false;
}

bool NmeaFramer::finish_line(std::string_view& body) {
  std::string_view line(line_);
  // Trailing blanks after the checksum happen on some receivers.
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
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
    const int hi = hex.size() == 2 ? hex_value(hex[0]) : -1;
    const int lo = hex.size() == 2 ? hex_value(hex[1]) : -1;
    if (hi < 0 || lo < 0 || nmea_checksum(line.substr(0, star)) != ((hi << 4) | lo)) {
      ++counters_.checksum_errors;
      return false;
    }
  }
  body = line.substr(0, star);
  ++counters_.sentences;
  return true;
}

}  // namespace mdtc::gps
