// CURVE key files as `mdt-coresponder keys generate` writes them:
//   # comment lines
//   public=<40 Z85 characters>
//   secret=<40 Z85 characters>
#pragma once

#include <string>

#include "mdtc/result.h"

namespace stub_cad {

struct KeyPair {
  std::string public_key;
  std::string secret_key;
};

mdtc::Result<KeyPair> read_key_file(const std::string& path);

}  // namespace stub_cad
