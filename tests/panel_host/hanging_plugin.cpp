// A test-only plugin for the panel host: the host ABI from the public header
// and nothing of the product. It reports itself healthy until told
// otherwise through files beside its configuration file:
//   <config>.hang   status_json blocks while the file exists (a plugin stuck
//                   in a lock or a slow disk, as the host sees it);
//   <config>.stall  status_json answers, but says its pipeline has not gone
//                   round since the file appeared (a hung pipeline thread).
// The product stays free of test hooks: the hang is this library's own.
#include <sys/stat.h>
#include <time.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mdt_host/mdt_host_api.h"

struct mdt_plugin {
  std::string hang_file, stall_file;
  int64_t stall_since_ms = -1;
};

namespace {

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int32_t create(const mdt_host_callbacks*, const mdt_plugin_create_info* info, mdt_plugin** out, mdt_error*) {
  auto* p = new mdt_plugin;
  p->hang_file = std::string(info->config_path) + ".hang";
  p->stall_file = std::string(info->config_path) + ".stall";
  *out = p;
  return MDT_OK;
}
int32_t start(mdt_plugin*, mdt_error*) { return MDT_OK; }
int32_t stop(mdt_plugin*, mdt_error*) { return MDT_OK; }
void destroy(mdt_plugin* p) { delete p; }
int32_t on_user_action(mdt_plugin*, const char*, const char*, const char*, mdt_error*) { return MDT_OK; }

char* status_json(mdt_plugin* p) {
  // The hang: this is the plugin under test misbehaving, not a test waiting.
  while (exists(p->hang_file)) {
    const timespec pause{0, 20'000'000};
    nanosleep(&pause, nullptr);
  }
  int64_t idle = 0;
  if (exists(p->stall_file)) {
    if (p->stall_since_ms < 0) p->stall_since_ms = steady_ms();
    idle = steady_ms() - p->stall_since_ms;
  } else {
    p->stall_since_ms = -1;
  }
  const std::string json = R"({"running":true,"pipeline_idle_ms":)" + std::to_string(idle) +
                           R"(,"cad_link":{"up":true},"cache":"open","cache_age_s":5,)"
                           R"("gps":{"port":"/dev/ttyTEST","connected":true,"stale":false}})";
  return ::strdup(json.c_str());
}
void free_string(char* s) { std::free(s); }

const mdt_plugin_entry kEntry = {sizeof(mdt_plugin_entry), MDT_HOST_API_VERSION, "hanging-test-plugin", "0",
                                 create, start, stop, destroy, on_user_action, status_json, free_string};

}  // namespace

extern "C" MDT_PLUGIN_EXPORT const mdt_plugin_entry* mdt_plugin_get_entry(uint32_t host_api_version) {
  return host_api_version == MDT_HOST_API_VERSION ? &kEntry : nullptr;
}
