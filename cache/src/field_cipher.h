// AES-256-GCM for the personal fields stored at rest (notes, names, history
// text). Each value gets a fresh random 96-bit nonce; the associated data
// binds a ciphertext to its row and column, so a value copied onto another
// person's row fails to decrypt instead of showing up there.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/result.h"

namespace mdtc::cache {

using Key = std::array<unsigned char, 32>;
using Bytes = std::vector<unsigned char>;

// Not thread-safe: one per connection, used under the cache's lock.
class FieldCipher {
 public:
  // Where the CPU has AES and carry-less multiply instructions (every x86-64
  // laptop since about 2011), libsodium's AES-256-GCM does the work: per short
  // value it costs about half of OpenSSL 3's, whose provider layer looks its
  // parameters up by name on every call, and a lookup opens several values.
  // Both write the same bytes; `portable` forces OpenSSL (tests compare them).
  enum class Engine { fastest, portable };
  explicit FieldCipher(const Key& key, Engine engine = Engine::fastest);
  ~FieldCipher();
  FieldCipher(const FieldCipher&) = delete;
  FieldCipher& operator=(const FieldCipher&) = delete;

  // Layout: version(1) | nonce(12) | ciphertext | tag(16).
  Bytes seal(std::string_view plaintext, std::string_view associated) const;
  std::optional<std::string> open(const Bytes& sealed, std::string_view associated) const {
    return open(std::basic_string_view<unsigned char>(sealed.data(), sealed.size()), associated);
  }
  std::optional<std::string> open(std::basic_string_view<unsigned char> sealed, std::string_view associated) const;

 private:
  void next_nonce(unsigned char* out) const;

  // Contexts keep the expanded key; each value only sets a new nonce.
  struct Contexts;
  struct SodiumState;
  std::unique_ptr<SodiumState> sodium_;  // null: OpenSSL does the work
  std::unique_ptr<Contexts> ctx_;
  // Random bytes fetched in blocks: still a fresh random nonce per value,
  // without one call into the DRBG per value.
  mutable std::vector<unsigned char> nonce_pool_;
  mutable std::size_t nonce_pos_ = 0;
};

// Loads the 32-byte key file, creating it with mode 0600 when missing (and
// allowed). Refuses a key readable or writable by group or others.
Result<Key> load_or_create_key(const std::string& path, bool create);

// Lower-case hex SHA-256.
std::string sha256_hex(std::string_view data);

// SHA-256 over bytes that arrive in pieces (a file streamed into an import).
// Copyable: a copy taken before a line is the hash of everything before it.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256& other);
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // Lower-case hex of everything so far; the hash can go on afterwards.
  std::string hex() const;

 private:
  void* ctx_;  // EVP_MD_CTX, kept out of this header
};

}  // namespace mdtc::cache
