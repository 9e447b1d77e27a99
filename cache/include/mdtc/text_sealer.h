// Seals short text at rest with the cache's key file (AES-256-GCM, the same
// cipher as the cache's personal fields), for the plugin's other files that
// hold call data: the incident journal and the outbox carry addresses and
// care codes. The associated data binds a sealed value to what it belongs
// to (an incident id, a message key), so a value moved elsewhere fails to open.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "mdtc/result.h"

namespace mdtc::cache {

class TextSealer {
 public:
  // Loads the key file, creating it (mode 0600) when missing.
  static Result<std::shared_ptr<const TextSealer>> open(const std::string& key_path);
  ~TextSealer();
  TextSealer(const TextSealer&) = delete;
  TextSealer& operator=(const TextSealer&) = delete;

  // "sealed1:<base64>". Thread-safe.
  std::string seal(std::string_view plain, std::string_view bound_to) const;
  // Nothing for text that is not sealed, was sealed under another key or
  // for something else, or was altered.
  std::optional<std::string> open(std::string_view sealed, std::string_view bound_to) const;
  static bool is_sealed(std::string_view text);

 private:
  struct State;
  explicit TextSealer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace mdtc::cache
