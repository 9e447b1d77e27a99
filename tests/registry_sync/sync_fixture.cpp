#include "sync_fixture.h"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "registry_generator.h"

namespace mdtc::test {

using namespace std::chrono_literals;

RegistryServer::RegistryServer(const TempDir& dir, std::vector<std::string> extra)
    : dir_(dir), served_(dir.file("served")), endpoint_("tcp://127.0.0.1:" + std::to_string(free_tcp_port())) {
  std::filesystem::create_directories(served_);
  start(std::move(extra));
}

RegistryServer::~RegistryServer() = default;

void RegistryServer::start(std::vector<std::string> extra) {
  if (child_) child_->terminate();
  out_ = dir_.file("registry-" + std::to_string(++runs_) + ".out");
  std::vector<std::string> argv{MDTC_STUB_REGISTRY, "--serve", endpoint_, "--dir", served_};
  argv.insert(argv.end(), extra.begin(), extra.end());
  child_ = std::make_unique<ChildProcess>(argv, out_);
  if (!wait_for_line(out_, [](const std::string& l) { return l.find("stub-registry ready") != std::string::npos; },
                     20s))
    throw std::runtime_error("stub-registry did not start: " + read_file(out_));
}

std::string RegistryServer::output() const { return read_file(out_); }

std::string generated_export(int64_t premises, int64_t version, const std::string& mode, uint64_t seed) {
  stub_registry::GeneratorOptions o;
  o.premises = premises;
  o.version = version;
  o.mode = mode;
  o.seed = seed;
  std::ostringstream out;
  stub_registry::write_export(o, out);
  return out.str();
}

void publish(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string tmp = dir + "/." + name + ".tmp";
  write_file(tmp, text);
  std::filesystem::rename(tmp, dir + "/" + name);
}

bridge::RegistrySync::StatusHandler StatusWaiter::handler() {
  return [this](const bridge::RegistrySyncStatus& s) {
    {
      std::lock_guard lock(mu_);
      latest_ = s;
    }
    cv_.notify_all();
  };
}

bool StatusWaiter::wait(const std::function<bool(const bridge::RegistrySyncStatus&)>& pred,
                        std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return pred(latest_); });
}

bridge::RegistrySyncStatus StatusWaiter::latest() {
  std::lock_guard lock(mu_);
  return latest_;
}

uint64_t counter(const bridge::RegistrySyncStatus& s, const std::string& name) {
  auto it = s.counters.find(name);
  return it == s.counters.end() ? 0 : it->second;
}

}  // namespace mdtc::test
