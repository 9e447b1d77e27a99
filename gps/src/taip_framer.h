// Finds TAIP (Trimble ASCII Interface Protocol) messages in a byte stream:
// ">" qualifier, identifier, data, optional ";ID=xxxx" and other ";" fields,
// optional ";*hh" checksum, "<". Cellular routers in patrol cars send these
// over TCP or UDP, sometimes with CR LF between messages, sometimes several
// per datagram, so the framer, like the NMEA one, works on any chunking and
// recovers at the next '>' after noise, counting what it dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "nmea_framer.h"

namespace mdtc::gps {

struct TaipFramerOptions {
  // An LN report with 12 satellites, an ID and a checksum is about 160
  // characters; a message that never ends is noise.
  std::size_t max_length = 256;
};

class TaipFramer {
 public:
  explicit TaipFramer(TaipFramerOptions options = {});

  // Calls on_message(body) for each complete message whose checksum (if
  // any) is right. body is the text between '>' and ";*hh" or '<'
  // ("RPV15714+3739438-1220384601512612;ID=1234"), valid during the call.
  template <class F>
  void feed(std::string_view bytes, F&& on_message) {
    counters_.bytes += bytes.size();
    for (char c : bytes) {
      std::string_view body;
      if (step(static_cast<unsigned char>(c), body)) on_message(body);
    }
  }
  // The same counters as the NMEA framer, with the same meanings, except
  // that a missing checksum is allowed (TAIP makes it optional) and not
  // counted.
  const FramerCounters& counters() const noexcept { return counters_; }
  void reset() noexcept;

 private:
  bool step(unsigned char c, std::string_view& body);
  bool finish(std::string_view& body);

  TaipFramerOptions options_;
  FramerCounters counters_;
  std::string line_;  // after '>' (exclusive)
  bool in_message_ = false;
  bool discarding_ = false;  // inside an over-long message: drop until '<' or '>'
};

}  // namespace mdtc::gps
