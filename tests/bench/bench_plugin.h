// The real plugin, loaded with dlopen and started the way a host does, for
// the benches that time a dispatch end to end. Only show_panel is the
// bench's; the other callbacks accept everything.
#pragma once

#include <dlfcn.h>

#include <cstdio>
#include <string>

#include "mdt_host/mdt_host_api.h"

namespace mdtc::bench {

struct LoadedPlugin {
  const mdt_plugin_entry* entry = nullptr;
  mdt_plugin* plugin = nullptr;

  // Stops and frees the plugin; safe when start failed.
  void stop() {
    if (!entry || !plugin) return;
    mdt_error err{};
    err.struct_size = sizeof err;
    entry->stop(plugin, &err);
    entry->destroy(plugin);
    plugin = nullptr;
  }
};

// Loads the built plugin and starts it on `config`; on failure prints why and
// returns an empty LoadedPlugin. `callbacks` must outlive the plugin.
inline LoadedPlugin start_plugin(const std::string& config, mdt_host_callbacks& callbacks, void* host_data,
                                 int32_t (*show_panel)(void*, const char*, const char*),
                                 int32_t (*close_panel)(void*, const char*) = nullptr) {
  void* lib = dlopen(MDTC_BINARY_DIR "/plugin/libmdt_coresponder.so", RTLD_NOW);
  if (!lib) return std::fprintf(stderr, "dlopen: %s\n", dlerror()), LoadedPlugin{};
  LoadedPlugin p;
  p.entry = reinterpret_cast<mdt_plugin_get_entry_fn>(dlsym(lib, MDT_PLUGIN_ENTRY_SYMBOL))(MDT_HOST_API_VERSION);
  callbacks = mdt_host_callbacks{};
  callbacks.struct_size = sizeof callbacks;
  callbacks.api_version = MDT_HOST_API_VERSION;
  callbacks.host_data = host_data;
  callbacks.show_panel = show_panel;
  callbacks.update_panel = [](void*, const char*, const char*) -> int32_t { return MDT_OK; };
  callbacks.close_panel = close_panel ? close_panel : [](void*, const char*) -> int32_t { return MDT_OK; };
  callbacks.log = [](void*, int32_t, const char*, const char*) {};
  mdt_plugin_create_info info{sizeof info, MDT_HOST_API_VERSION, config.c_str(), nullptr};
  mdt_error err{};
  err.struct_size = sizeof err;
  if (p.entry->create(&callbacks, &info, &p.plugin, &err) != MDT_OK || p.entry->start(p.plugin, &err) != MDT_OK) {
    std::fprintf(stderr, "plugin: %s\n", err.message);
    p.stop();
    return LoadedPlugin{};
  }
  return p;
}

}  // namespace mdtc::bench
