// AES-256-GCM for the personal fields stored at rest (notes, names, history
// text). Each value gets a fresh random 96-bit nonce; the associated data
// binds a ciphertext to its row and column, so a value copied onto another
// person's row fails to decrypt instead of showing up there.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"

namespace mdtc::cache {

using Key = std::array<unsigned char, 32>;
using Bytes = std::vector<unsigned char>;

class FieldCipher {
 public:
  explicit FieldCipher(const Key& key) : key_(key) {}
  // Layout: version(1) | nonce(12) | ciphertext | tag(16).
  Bytes seal(std::string_view plaintext, std::string_view associated) const;
  std::optional<std::string> open(const Bytes& sealed, std::string_view associated) const;

 private:
  Key key_;
};

// Loads the 32-byte key file, creating it with mode 0600 when missing (and
// allowed). Refuses a key readable or writable by group or others.
Result<Key> load_or_create_key(const std::string& path, bool create);

// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);

}  // namespace mdtc::cache
