#include "plugin_log.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/FileChannel.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/NullChannel.h>
#include <Poco/SplitterChannel.h>
#include <Poco/SyslogChannel.h>

#include <string_view>

#include "mdtc/private_file.h"

#include "mdt_host/mdt_host_api.h"

namespace mdtc::plugin {
namespace {

// Poco priorities (1 fatal .. 8 trace) onto the host ABI's syslog numbering.
int32_t host_level(Poco::Message::Priority p) {
  switch (p) {
    case Poco::Message::PRIO_FATAL:
    case Poco::Message::PRIO_CRITICAL:
    case Poco::Message::PRIO_ERROR: return MDT_LOG_ERROR;
    case Poco::Message::PRIO_WARNING: return MDT_LOG_WARNING;
    case Poco::Message::PRIO_NOTICE: return MDT_LOG_NOTICE;
    case Poco::Message::PRIO_INFORMATION: return MDT_LOG_INFO;
    default: return MDT_LOG_DEBUG;
  }
}

class HostLogChannel : public Poco::Channel {
 public:
  explicit HostLogChannel(const HostCallbacks& host) : host_(host) {}
  void log(const Poco::Message& msg) override {
    std::string module = msg.getSource();
    if (module.rfind("mdtc.", 0) == 0) module.erase(0, 5);
    host_.log(host_level(msg.getPriority()), module.c_str(), msg.getText());
  }

 private:
  HostCallbacks host_;
};

std::string_view trim(std::string_view v) {
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return v;
}

}  // namespace

Status configure_logging(const config::Config& config, const HostCallbacks& host) {
  try {
    Poco::AutoPtr<Poco::SplitterChannel> splitter(new Poco::SplitterChannel);
    splitter->addChannel(Poco::AutoPtr<Poco::Channel>(new HostLogChannel(host)));
    std::string file_error;
    if (!config.log_file.empty()) {
      make_private_file(config.log_file);
      Poco::AutoPtr<Poco::FileChannel> file(new Poco::FileChannel(config.log_file));
      file->setProperty("rotation", "10 M");
      file->setProperty("archive", "number");
      file->setProperty("purgeCount", "5");
      file->setProperty("times", "utc");
      // A full or read-only disk must not keep the plugin from starting:
      // the host's log (and syslog) still get every line.
      try {
        file->open();
        splitter->addChannel(file);
      } catch (const std::exception& e) {
        file_error = e.what();
      }
    }
    if (config.log_syslog) {
      Poco::AutoPtr<Poco::SyslogChannel> syslog(
          new Poco::SyslogChannel("mdt-coresponder", Poco::SyslogChannel::SYSLOG_PID,
                                  Poco::SyslogChannel::SYSLOG_DAEMON));
      splitter->addChannel(syslog);
    }
    // Create the module loggers first: levels set by name reach only loggers
    // that already exist.
    for (const char* name : {"mdtc", "mdtc.plugin", "mdtc.bridge", "mdtc.cache", "mdtc.gps"})
      Poco::Logger::get(name);
    Poco::Logger::setChannel("mdtc", splitter);
    Poco::Logger::setLevel("mdtc", Poco::Logger::parseLevel(config.log_level));
    std::string_view rest = config.log_modules;
    while (!trim(rest).empty()) {
      const auto comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      const auto eq = item.find('=');
      Poco::Logger::setLevel("mdtc." + std::string(trim(item.substr(0, eq))),
                             Poco::Logger::parseLevel(std::string(trim(item.substr(eq + 1)))));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (!file_error.empty())
      Poco::Logger::get("mdtc.plugin").error("log file " + config.log_file +
                                             " cannot be written, logging to the host only: " +
                                             file_error);
    return Ok{};
  } catch (const std::exception& e) {
    return make_error("config.log", std::string("cannot set up logging: ") + e.what());
  }
}

void shutdown_logging() {
  Poco::Logger::setChannel("mdtc", Poco::AutoPtr<Poco::Channel>(new Poco::NullChannel));
}

}  // namespace mdtc::plugin
