#include "taip_framer.h"

namespace mdtc::gps {

TaipFramer::TaipFramer(TaipFramerOptions options) : options_(options) { line_.reserve(options_.max_length); }

void TaipFramer::reset() noexcept {
  line_.clear();
  in_message_ = false;
  discarding_ = false;
}

bool TaipFramer::step(unsigned char c, std::string_view& body) {
  if (c == '>') {
    // A new start inside a message: the previous one was cut short.
    if (in_message_) ++counters_.fragments;
    line_.clear();
    in_message_ = true;
    discarding_ = false;
    return false;
  }
  if (discarding_) {
    if (c == '<') discarding_ = false;
    return false;
  }
  if (!in_message_) {
    // Routers put CR LF (or nothing) between messages: not noise.
    if (c != '\r' && c != '\n' && c != '<') ++counters_.noise_bytes;
    return false;
  }
  if (c == '<') {
    in_message_ = false;
    return finish(body);
  }
  // TAIP is printable ASCII; a control or 8-bit byte inside a message is
  // line noise and the message cannot be trusted.
  if (c < 0x20 || c > 0x7e) {
    ++counters_.fragments;
    ++counters_.noise_bytes;
    in_message_ = false;
    line_.clear();
    return false;
  }
  if (line_.size() + 1 >= options_.max_length) {
    ++counters_.overlong;
    in_message_ = false;
    discarding_ = true;
    line_.clear();
    return false;
  }
  line_.push_back(static_cast<char>(c));
  return false;
}

bool TaipFramer::finish(std::string_view& body) {
  std::string_view line(line_);
  if (line.empty()) {
    ++counters_.fragments;
    return false;
  }
  // ";*hh" is always the last element when present; the checksum is the
  // XOR of every byte from '>' up to and including its '*' (TAIP is NMEA's
  // XOR with other delimiters).
  const auto star = line.rfind(";*");
  if (star != std::string_view::npos) {
    const int given = parse_hex_byte(line.substr(star + 2));
    const uint8_t sum = static_cast<uint8_t>('>' ^ nmea_checksum(line.substr(0, star + 2)));
    if (given < 0 || sum != given) {
      ++counters_.checksum_errors;
      return false;
    }
    line = line.substr(0, star);
  }
  body = line;
  ++counters_.sentences;
  return true;
}

}  // namespace mdtc::gps
