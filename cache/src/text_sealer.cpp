#include "mdtc/text_sealer.h"

#include <openssl/evp.h>

#include <mutex>

#include "field_cipher.h"

namespace mdtc::cache {
namespace {

constexpr std::string_view kPrefix = "sealed1:";

}  // namespace

// FieldCipher is one per connection; the journal's writer thread and the
// link's callers share this one, so it is used under a lock.
struct TextSealer::State {
  explicit State(const Key& key) : cipher(key) {}
  std::mutex mu;
  FieldCipher cipher;
};

TextSealer::TextSealer(std::unique_ptr<State> state) : state_(std::move(state)) {}
TextSealer::~TextSealer() = default;

Result<std::shared_ptr<const TextSealer>> TextSealer::open(const std::string& key_path) {
  auto key = load_or_create_key(key_path, true);
  if (!key) return key.error();
  return std::shared_ptr<const TextSealer>(new TextSealer(std::make_unique<State>(key.value())));
}

bool TextSealer::is_sealed(std::string_view text) { return text.substr(0, kPrefix.size()) == kPrefix; }

std::string TextSealer::seal(std::string_view plain, std::string_view bound_to) const {
  Bytes sealed;
  {
    std::lock_guard lock(state_->mu);
    sealed = state_->cipher.seal(plain, bound_to);
  }
  std::string out(kPrefix);
  std::string b64(4 * ((sealed.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), sealed.data(),
                                static_cast<int>(sealed.size()));
  b64.resize(static_cast<std::size_t>(n));
  return out + b64;
}

std::optional<std::string> TextSealer::open(std::string_view sealed, std::string_view bound_to) const {
  if (!is_sealed(sealed)) return std::nullopt;
  const std::string_view b64 = sealed.substr(kPrefix.size());
  if (b64.size() % 4 != 0) return std::nullopt;
  Bytes raw(3 * (b64.size() / 4) + 1);
  const int n = EVP_DecodeBlock(raw.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0) return std::nullopt;
  // DecodeBlock counts the padding as zero bytes.
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t i = b64.size(); i > 0 && b64[i - 1] == '=' && len > 0; --i) --len;
  raw.resize(len);
  std::lock_guard lock(state_->mu);
  return state_->cipher.open(raw, bound_to);
}

}  // namespace mdtc::cache
