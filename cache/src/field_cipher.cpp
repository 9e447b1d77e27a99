#include "field_cipher.h"

#include "mdtc/shared_state.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace mdtc::cache {
namespace {

constexpr unsigned char kVersion = 1;
constexpr int kNonce = 12;
constexpr int kTag = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

constexpr std::size_t kPoolNonces = 1024;

}  // namespace

struct FieldCipher::Contexts {
  Ctx enc{EVP_CIPHER_CTX_new()};
  Ctx dec{EVP_CIPHER_CTX_new()};
};

// The expanded key and GHASH table; libsodium wants it 16-byte aligned,
// which its type declares and operator new honours.
struct FieldCipher::SodiumState {
  crypto_aead_aes256gcm_state state;
};

FieldCipher::FieldCipher(const Key& key, Engine engine) {
  // sodium_init is idempotent and thread-safe; it finds the CPU's features.
  if (engine == Engine::fastest && sodium_init() >= 0 && crypto_aead_aes256gcm_is_available()) {
    sodium_ = std::make_unique<SodiumState>();
    if (crypto_aead_aes256gcm_beforenm(&sodium_->state, key.data()) != 0)
      throw std::runtime_error("AES-256-GCM unavailable");
    return;
  }
  ctx_ = std::make_unique<Contexts>();
  if (!ctx_->enc || !ctx_->dec ||
      EVP_EncryptInit_ex(ctx_->enc.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx_->dec.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1)
    throw std::runtime_error("AES-256-GCM unavailable");
}

FieldCipher::~FieldCipher() {
  if (sodium_) sodium_memzero(&sodium_->state, sizeof sodium_->state);
}

void FieldCipher::next_nonce(unsigned char* out) const {
  if (nonce_pos_ + kNonce > nonce_pool_.size()) {
    nonce_pool_.resize(kPoolNonces * kNonce);
    if (RAND_bytes(nonce_pool_.data(), static_cast<int>(nonce_pool_.size())) != 1)
      throw std::runtime_error("no randomness for nonces");
    nonce_pos_ = 0;
  }
  std::memcpy(out, nonce_pool_.data() + nonce_pos_, kNonce);
  // Used bytes are wiped so a nonce is never handed out twice.
  std::memset(nonce_pool_.data() + nonce_pos_, 0, kNonce);
  nonce_pos_ += kNonce;
}

Bytes FieldCipher::seal(std::string_view plaintext, std::string_view associated) const {
  Bytes out(1 + kNonce + plaintext.size() + kTag);
  out[0] = kVersion;
  next_nonce(out.data() + 1);
  if (sodium_) {
    if (crypto_aead_aes256gcm_encrypt_detached_afternm(
            out.data() + 1 + kNonce, out.data() + out.size() - kTag, nullptr,
            reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
            reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nullptr, out.data() + 1,
            &sodium_->state) != 0)
      throw std::runtime_error("AES-256-GCM encryption failed");
    return out;
  }
  EVP_CIPHER_CTX* ctx = ctx_->enc.get();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, out.data() + 1) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(associated.data()),
                        static_cast<int>(associated.size())) != 1 ||
      EVP_EncryptUpdate(ctx, out.data() + 1 + kNonce, &len, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx, out.data() + 1 + kNonce + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTag, out.data() + out.size() - kTag) != 1)
    throw std::runtime_error("AES-256-GCM encryption failed");
  return out;
}

std::optional<std::string> FieldCipher::open(std::basic_string_view<unsigned char> sealed,
                                             std::string_view associated) const {
  if (sealed.size() < 1 + kNonce + kTag || sealed[0] != kVersion) return std::nullopt;
  const std::size_t n = sealed.size() - 1 - kNonce - kTag;
  std::string out(n, '\0');
  if (sodium_) {
    if (crypto_aead_aes256gcm_decrypt_detached_afternm(
            reinterpret_cast<unsigned char*>(out.data()), nullptr, sealed.data() + 1 + kNonce, n,
            sealed.data() + sealed.size() - kTag, reinterpret_cast<const unsigned char*>(associated.data()),
            associated.size(), sealed.data() + 1, &sodium_->state) != 0)
      return std::nullopt;
    return out;
  }
  EVP_CIPHER_CTX* ctx = ctx_->dec.get();
  int len = 0;
  unsigned char tag[kTag];
  std::memcpy(tag, sealed.data() + sealed.size() - kTag, kTag);
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, sealed.data() + 1) != 1 ||
      EVP_DecryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(associated.data()),
                        static_cast<int>(associated.size())) != 1 ||
      EVP_DecryptUpdate(ctx, reinterpret_cast<unsigned char*>(out.data()), &len, sealed.data() + 1 + kNonce,
                        static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTag, tag) != 1)
    return std::nullopt;
  int tail = 0;
  if (EVP_DecryptFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()) + len, &tail) != 1) return std::nullopt;
  return out;
}

Result<Key> load_or_create_key(const std::string& path, bool create) {
  Key key{};
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) return make_error("cache.key", "key file " + path + ": " + std::strerror(errno));
    if (!create) return make_error("cache.key_missing", "key file " + path + " does not exist");
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
      return make_error("cache.key", "no randomness to create key file " + path);
    // 0640 in the group-shared state directory, so every account of the
    // group opens the cache; else 0600. Exact, whatever the umask.
    const auto dir = parent_dir_mode(path);
    const mode_t mode = key_file_mode(dir ? dir->mode : 0);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return make_error("cache.key", "cannot create key file " + path + ": " + std::strerror(errno));
    const bool ok = ::fchmod(fd, mode) == 0 && ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return make_error("cache.key", "cannot write key file " + path);
    }
    return key;
  }
  if (const std::string why = secret_file_problem(path); !why.empty()) {
    return make_error("cache.key_permissions", "key file " + path + " " + why +
                                                   ": expected 0600 (no group or other access), or 0640 in a "
                                                   "directory shared with its group");
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error("cache.key", "cannot read key file " + path + ": " + std::strerror(errno));
  unsigned char buf[33];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n != 32)
    return make_error("cache.key_invalid", "key file " + path + " holds " + std::to_string(n < 0 ? 0 : n) +
                                               " bytes: expected exactly 32");
  std::memcpy(key.data(), buf, 32);
  return key;
}

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

Sha256::Sha256(const Sha256& other) : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_MD_CTX_copy_ex(static_cast<EVP_MD_CTX*>(ctx_), static_cast<const EVP_MD_CTX*>(other.ctx_)) != 1)
    throw std::runtime_error("SHA-256 failed");
}

void Sha256::update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1)
    throw std::runtime_error("SHA-256 failed");
}

std::string Sha256::hex() const {
  Sha256 copy(*this);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(copy.ctx_), md, &len) != 1) throw std::runtime_error("SHA-256 failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace mdtc::cache
