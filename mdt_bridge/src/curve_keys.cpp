#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <zmq.h>

#include "mdtc/bridge.h"

namespace mdtc::bridge {
namespace {

bool is_z85_key(const std::string& k) {
  if (k.size() != 40) return false;
  static const std::string alphabet =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
  return k.find_first_not_of(alphabet) == std::string::npos;
}

}  // namespace

Result<CurveKeyPair> generate_curve_key_pair() {
  if (!zmq_has("curve")) {
    return make_error("keys.no_curve", "this libzmq was built without CURVE support");
  }
  char pub[41] = {}, sec[41] = {};
  if (zmq_curve_keypair(pub, sec) != 0) {
    return make_error("keys.no_curve", std::string("zmq_curve_keypair failed: ") +
                                           zmq_strerror(zmq_errno()));
  }
  CurveKeyPair kp{pub, sec};
  // Do not leave the secret in a stack buffer longer than needed.
  std::memset(sec, 0, sizeof sec);
  return kp;
}

Status write_curve_key_file(const std::string& path, const CurveKeyPair& keys, bool overwrite) {
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (overwrite ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return make_error("keys.exists", "key file " + path + " exists; use --force to replace it");
    }
    return make_error("keys.unwritable", "key file " + path + ": " + std::strerror(errno));
  }
  // An existing file keeps its mode through O_TRUNC; a secret must not stay
  // readable by others.
  if (::fchmod(fd, 0600) != 0) {
    ::close(fd);
    return make_error("keys.unwritable", "key file " + path + ": chmod 0600: " + std::strerror(errno));
  }
  std::string text = "# mdt-coresponder CURVE key pair (Z85). Keep the secret line private.\n"
                     "public=" + keys.public_key + "\n";
  if (!keys.secret_key.empty()) text += "secret=" + keys.secret_key + "\n";
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    auto n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return make_error("keys.unwritable", "key file " + path + ": " + std::strerror(errno));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return make_error("keys.unwritable", "key file " + path + ": " + std::strerror(errno));
  }
  return Ok{};
}

Result<CurveKeyPair> read_curve_key_file(const std::string& path, bool need_secret) {
  std::ifstream in(path);
  if (!in) return make_error("keys.unreadable", "key file " + path + ": cannot read");
  CurveKeyPair kp;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    auto eq = line.find('=');
    std::string name = line.substr(0, eq == std::string::npos ? line.size() : eq);
    std::string value = eq == std::string::npos ? "" : line.substr(eq + 1);
    std::string* slot = name == "public" ? &kp.public_key : name == "secret" ? &kp.secret_key : nullptr;
    if (!slot) {
      return make_error("keys.bad_file", "key file " + path + ":" + std::to_string(n) +
                                             ": expected public=... or secret=...");
    }
    if (!is_z85_key(value)) {
      return make_error("keys.bad_file", "key file " + path + ":" + std::to_string(n) + ": " + name +
                                             ": expected 40 Z85 characters");
    }
    *slot = value;
  }
  if (kp.public_key.empty()) {
    return make_error("keys.bad_file", "key file " + path + ": no public= line");
  }
  if (need_secret && kp.secret_key.empty()) {
    return make_error("keys.bad_file", "key file " + path + ": no secret= line; expected a key pair");
  }
  return kp;
}

}  // namespace mdtc::bridge
