// Where stub-gps sends when it plays the car's router instead of a serial
// receiver: a TCP server any number of readers connect to, or UDP
// datagrams to one listener. Sending never blocks: like a router, a slow
// or absent reader just misses data.
#pragma once

#include <string>
#include <vector>

namespace stub_gps {

class NetOutput {
 public:
  // tcp: listen on 127.0.0.1:port (0 = any free port). udp: send to
  // 127.0.0.1:port. Empty error = ready.
  static NetOutput tcp(int port, std::string& error);
  static NetOutput udp(int port, std::string& error);
  NetOutput(NetOutput&& other) noexcept;
  NetOutput& operator=(NetOutput&&) = delete;
  ~NetOutput();
  // What the reader's gps.port should say: "tcp://127.0.0.1:40123".
  std::string url() const;
  void send(const std::string& bytes);

 private:
  NetOutput() = default;
  bool udp_ = false;
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> clients_;
};

}  // namespace stub_gps
