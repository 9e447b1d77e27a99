// A file read a piece at a time, so that whoever reads it holds one piece,
// not the file. The registry sync's staging file is one (decrypted and
// hashed as it is read); a registry export on disk or in memory is another.
// The cache's streaming import reads one; neither side knows the other.
#pragma once

#include <string_view>

#include "mdtc/result.h"

namespace mdtc {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // The next piece of the file; an empty view at its end. Valid until the
  // next call. An error ends the read (nothing read so far may be trusted).
  virtual Result<std::string_view> next() = 0;
  // Back to the first byte. Used only after the whole file has been read
  // and verified, to find the line an error names.
  virtual Status rewind() = 0;
  // Called once every byte has been read: whether they are the bytes
  // expected (the sync: the SHA-256 its registry offered). Anything but Ok
  // means the bytes cannot be trusted; an import rolls back with this
  // error, whatever else it found in them.
  virtual Status verify() { return Ok{}; }
};

}  // namespace mdtc
