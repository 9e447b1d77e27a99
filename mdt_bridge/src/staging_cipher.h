// AES-256-GCM over one staged chunk. The staging file holds registry data
// (names, safety and care notes) until it is imported, so every chunk is
// sealed as it arrives: its own random 96-bit nonce, its own tag, and
// associated data naming the transfer and the chunk's offset, so a chunk
// cannot be moved to another place in the file or into another transfer
// without failing to open.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mdtc/result.h"

namespace mdtc::bridge {

inline constexpr std::size_t kStagingKeyBytes = 32;
inline constexpr std::size_t kStagingNonceBytes = 12;
inline constexpr std::size_t kStagingTagBytes = 16;
// What sealing adds to a chunk: nonce in front, tag behind.
inline constexpr std::size_t kStagingSealOverhead = kStagingNonceBytes + kStagingTagBytes;

using StagingKey = std::array<unsigned char, kStagingKeyBytes>;

// Fills `out` from the system's cryptographic random source.
Status random_bytes(unsigned char* out, std::size_t n);

// nonce || ciphertext || tag for `plain` (at most 1 MiB), under a fresh
// random nonce.
Result<std::string> seal_chunk(const StagingKey& key, std::string_view aad, std::string_view plain);

// Opens what seal_chunk made into `out` (exactly sealed.size() -
// kStagingSealOverhead bytes). False when the tag does not match: wrong key,
// wrong associated data, or altered bytes; `out` then holds nothing useful.
Result<bool> open_chunk(const StagingKey& key, std::string_view aad, std::string_view sealed, char* out);

// Overwrites memory that held a key or registry text before it is freed.
void wipe_memory(void* p, std::size_t n);

}  // namespace mdtc::bridge
