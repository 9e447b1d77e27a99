// The host's callback table, copied and checked once at create: a table that
// is too small, of another ABI version or missing a required callback is
// refused with a message naming what is missing.
#pragma once

#include <string>

#include "mdt_host/mdt_host_api.h"
#include "mdtc/result.h"

namespace mdtc::plugin {

class HostCallbacks {
 public:
  static Result<HostCallbacks> adopt(const mdt_host_callbacks* table);

  int32_t show_panel(const std::string& id, const std::string& json) const;
  int32_t update_panel(const std::string& id, const std::string& json) const;
  int32_t close_panel(const std::string& id) const;
  void log(int32_t level, const char* module, const std::string& message) const;
  void notify(int32_t priority, const std::string& text) const;
  std::string current_user() const;  // empty when nobody is signed in

 private:
  explicit HostCallbacks(const mdt_host_callbacks& table) : t_(table) {}
  mdt_host_callbacks t_;
};

}  // namespace mdtc::plugin
