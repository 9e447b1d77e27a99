// The exported C entry table. Every function here is a noexcept shim: it
// catches everything, so no C++ exception ever crosses into the host, and
// reports failures as an MDT_ERR_* code with a message.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "mdt_host/mdt_host_api.h"
#include "plugin_instance.h"

struct mdt_plugin {
  std::unique_ptr<mdtc::plugin::PluginInstance> instance;
};

namespace {

int32_t code_for(const std::string& error_code) {
  if (error_code.rfind("config.", 0) == 0 || error_code.rfind("keys.", 0) == 0) return MDT_ERR_CONFIG;
  if (error_code.rfind("abi.version", 0) == 0 || error_code == "abi.too_small") return MDT_ERR_VERSION;
  if (error_code.rfind("abi.", 0) == 0) return MDT_ERR_INVALID_ARGUMENT;
  if (error_code == "plugin.not_started" || error_code == "plugin.second_instance" ||
      error_code == "plugin.state_in_use")
    return MDT_ERR_STATE;
  if (error_code == "plugin.bad_action" || error_code == "plugin.unknown_panel") return MDT_ERR_NOT_FOUND;
  if (error_code.rfind("wire.", 0) == 0 || error_code.rfind("link.", 0) == 0 ||
      error_code.rfind("cache.", 0) == 0 || error_code.rfind("gps.", 0) == 0)
    return MDT_ERR_IO;
  return MDT_ERR_INTERNAL;
}

int32_t fail(mdt_error* error, int32_t code, const std::string& message) {
  if (error && error->struct_size >= sizeof(mdt_error)) {
    error->api_version = MDT_HOST_API_VERSION;
    error->code = code;
    std::snprintf(error->message, sizeof error->message, "%s", message.c_str());
  }
  return code;
}

int32_t fail(mdt_error* error, const mdtc::Error& e) { return fail(error, code_for(e.code), e.message); }

int32_t ok(mdt_error* error) {
  if (error && error->struct_size >= sizeof(mdt_error)) {
    error->code = MDT_OK;
    error->message[0] = '\0';
  }
  return MDT_OK;
}

int32_t plugin_create(const mdt_host_callbacks* host, const mdt_plugin_create_info* info,
                      mdt_plugin** out, mdt_error* error) noexcept {
  try {
    if (!out) return fail(error, MDT_ERR_INVALID_ARGUMENT, "out_plugin is NULL");
    *out = nullptr;
    auto instance = mdtc::plugin::PluginInstance::create(host, info);
    if (!instance) return fail(error, instance.error());
    *out = new mdt_plugin{std::move(*instance)};
    return ok(error);
  } catch (const std::exception& e) {
    return fail(error, MDT_ERR_INTERNAL, std::string("create failed: ") + e.what());
  } catch (...) {
    return fail(error, MDT_ERR_INTERNAL, "create failed");
  }
}

int32_t plugin_start(mdt_plugin* plugin, mdt_error* error) noexcept {
  try {
    if (!plugin) return fail(error, MDT_ERR_INVALID_ARGUMENT, "plugin is NULL");
    auto st = plugin->instance->start();
    return st ? ok(error) : fail(error, st.error());
  } catch (const std::exception& e) {
    return fail(error, MDT_ERR_INTERNAL, std::string("start failed: ") + e.what());
  } catch (...) {
    return fail(error, MDT_ERR_INTERNAL, "start failed");
  }
}

int32_t plugin_stop(mdt_plugin* plugin, mdt_error* error) noexcept {
  try {
    if (!plugin) return fail(error, MDT_ERR_INVALID_ARGUMENT, "plugin is NULL");
    plugin->instance->stop();
    return ok(error);
  } catch (const std::exception& e) {
    return fail(error, MDT_ERR_INTERNAL, std::string("stop failed: ") + e.what());
  } catch (...) {
    return fail(error, MDT_ERR_INTERNAL, "stop failed");
  }
}

void plugin_destroy(mdt_plugin* plugin) noexcept {
  try {
    delete plugin;
  } catch (...) {
    // Nothing can be reported from destroy; the host is unloading us.
  }
}

int32_t plugin_on_user_action(mdt_plugin* plugin, const char* panel_id, const char* action_id,
                              const char* payload_json, mdt_error* error) noexcept {
  try {
    if (!plugin || !panel_id || !action_id)
      return fail(error, MDT_ERR_INVALID_ARGUMENT, "plugin, panel_id and action_id are required");
    auto st = plugin->instance->user_action(panel_id, action_id, payload_json ? payload_json : "");
    return st ? ok(error) : fail(error, st.error());
  } catch (const std::exception& e) {
    return fail(error, MDT_ERR_INTERNAL, std::string("on_user_action failed: ") + e.what());
  } catch (...) {
    return fail(error, MDT_ERR_INTERNAL, "on_user_action failed");
  }
}

char* plugin_status_json(mdt_plugin* plugin) noexcept {
  try {
    if (!plugin) return nullptr;
    const std::string s = plugin->instance->status_json();
    char* out = static_cast<char*>(std::malloc(s.size() + 1));
    if (out) std::memcpy(out, s.c_str(), s.size() + 1);
    return out;
  } catch (...) {
    return nullptr;
  }
}

void plugin_free_string(char* s) noexcept { std::free(s); }

const mdt_plugin_entry kEntry = {
    sizeof(mdt_plugin_entry), MDT_HOST_API_VERSION, "mdt-coresponder", MDTC_VERSION,
    plugin_create, plugin_start, plugin_stop, plugin_destroy, plugin_on_user_action,
    plugin_status_json, plugin_free_string,
};

}  // namespace

extern "C" MDT_PLUGIN_EXPORT const mdt_plugin_entry* mdt_plugin_get_entry(
    uint32_t host_api_version) {
  return host_api_version == MDT_HOST_API_VERSION ? &kEntry : nullptr;
}
