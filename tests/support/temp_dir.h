// A fresh directory under $TMPDIR for one test, removed when it goes out of
// scope, and a loopback TCP port nobody is listening on.
#pragma once

#include <string>

namespace mdtc::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Asks the kernel for a free port on 127.0.0.1 (bind to 0, read it, close).
int free_tcp_port();

// Writes `text` to `path`, replacing it. Throws on failure.
void write_file(const std::string& path, const std::string& text);
std::string read_file(const std::string& path);

}  // namespace mdtc::test
