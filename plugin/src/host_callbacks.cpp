#include "host_callbacks.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace mdtc::plugin {

Result<HostCallbacks> HostCallbacks::adopt(const mdt_host_callbacks* table) {
  if (!table) return make_error("abi.null", "host callback table is NULL");
  if (table->struct_size < offsetof(mdt_host_callbacks, log) + sizeof(table->log))
    return make_error("abi.too_small", "host callback table is " +
                                           std::to_string(table->struct_size) +
                                           " bytes: too small for show/update/close/log");
  if (table->api_version != MDT_HOST_API_VERSION)
    return make_error("abi.version", "host callback table has api_version " +
                                         std::to_string(table->api_version) + ", expected " +
                                         std::to_string(MDT_HOST_API_VERSION));
  // Copy only what the host's table holds; fields it lacks stay NULL.
  mdt_host_callbacks copy{};
  std::memcpy(&copy, table, std::min<std::size_t>(table->struct_size, sizeof copy));
  copy.struct_size = sizeof copy;
  const char* missing = !copy.show_panel     ? "show_panel"
                        : !copy.update_panel ? "update_panel"
                        : !copy.close_panel  ? "close_panel"
                        : !copy.log          ? "log"
                                             : nullptr;
  if (missing)
    return make_error("abi.missing_callback",
                      std::string("host callback table has no ") + missing + " callback");
  return HostCallbacks(copy);
}

int32_t HostCallbacks::show_panel(const std::string& id, const std::string& json) const {
  return t_.show_panel(t_.host_data, id.c_str(), json.c_str());
}

int32_t HostCallbacks::update_panel(const std::string& id, const std::string& json) const {
  return t_.update_panel(t_.host_data, id.c_str(), json.c_str());
}

int32_t HostCallbacks::close_panel(const std::string& id) const {
  return t_.close_panel(t_.host_data, id.c_str());
}

void HostCallbacks::log(int32_t level, const char* module, const std::string& message) const {
  t_.log(t_.host_data, level, module, message.c_str());
}

void HostCallbacks::notify(int32_t priority, const std::string& text) const {
  if (t_.notify) t_.notify(t_.host_data, priority, text.c_str());
}

std::string HostCallbacks::current_user() const {
  if (!t_.current_user) return {};
  char buf[256] = {0};
  const int32_t n = t_.current_user(t_.host_data, buf, sizeof buf);
  if (n < 0) return {};
  buf[sizeof buf - 1] = '\0';
  return buf;
}

}  // namespace mdtc::plugin
