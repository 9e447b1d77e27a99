#include "curve_key_file.h"

#include <fstream>

namespace stub_cad {

mdtc::Result<KeyPair> read_key_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return mdtc::make_error("keys.unreadable", "key file " + path + ": cannot read");
  KeyPair kp;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    std::string name = line.substr(0, eq == std::string::npos ? line.size() : eq);
    std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
    if (name == "public") kp.public_key = value;
    else if (name == "secret") kp.secret_key = value;
    else return mdtc::make_error("keys.bad_file", "key file " + path + ":" + std::to_string(n) +
                                                      ": expected public=... or secret=...");
  }
  if (kp.public_key.size() != 40 || kp.secret_key.size() != 40) {
    return mdtc::make_error("keys.bad_file", "key file " + path +
                                                 ": expected 40-character Z85 public and secret keys");
  }
  return kp;
}

}  // namespace stub_cad
