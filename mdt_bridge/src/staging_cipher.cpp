#include "staging_cipher.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <memory>

namespace mdtc::bridge {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

Error crypto_error(const char* what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return make_error("sync.crypto", std::string("staging encryption: ") + what + ": " + buf);
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Status random_bytes(unsigned char* out, std::size_t n) {
  if (n > INT_MAX || RAND_bytes(out, static_cast<int>(n)) != 1) return crypto_error("random bytes");
  return Ok{};
}

Result<std::string> seal_chunk(const StagingKey& key, std::string_view aad, std::string_view plain) {
  if (plain.size() > (1u << 20) || aad.size() > INT_MAX)
    return make_error("sync.crypto", "staging encryption: a chunk of " + std::to_string(plain.size()) +
                                         " bytes is larger than 1 MiB");
  std::string out(kStagingSealOverhead + plain.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  auto* ct = nonce + kStagingNonceBytes;
  auto* tag = ct + plain.size();
  if (auto r = random_bytes(nonce, kStagingNonceBytes); !r) return r.error();
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kStagingNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ct, &len, bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ct + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kStagingTagBytes, tag) != 1)
    return crypto_error("seal");
  return out;
}

Result<bool> open_chunk(const StagingKey& key, std::string_view aad, std::string_view sealed, char* out) {
  if (sealed.size() < kStagingSealOverhead || sealed.size() - kStagingSealOverhead > (1u << 20) ||
      aad.size() > INT_MAX)
    return false;
  const std::size_t n = sealed.size() - kStagingSealOverhead;
  const auto* nonce = bytes(sealed);
  const auto* ct = nonce + kStagingNonceBytes;
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer but only reads it.
  unsigned char tag[kStagingTagBytes];
  std::copy(ct + n, ct + n + kStagingTagBytes, tag);
  auto* dst = reinterpret_cast<unsigned char*>(out);
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kStagingNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), dst, &len, ct, static_cast<int>(n)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kStagingTagBytes, tag) != 1)
    return crypto_error("open");
  // Final fails exactly when the tag does not match.
  const bool authentic = EVP_DecryptFinal_ex(ctx.get(), dst + len, &len) == 1;
  ERR_clear_error();
  return authentic;
}

void wipe_memory(void* p, std::size_t n) {
  if (p && n) OPENSSL_cleanse(p, n);
}

}  // namespace mdtc::bridge
