// The host ABI as a host sees it: the header compiles as C11 and C++ with
// the same layout, the plugin loads with dlopen, exports one symbol, refuses
// what it must refuse, and reports errors as codes with messages.
#include <dlfcn.h>
#include <sys/stat.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "mdt_host/mdt_host_api.h"
#include "temp_dir.h"

extern "C" {
size_t c11_sizeof_callbacks(void);
size_t c11_sizeof_create_info(void);
size_t c11_sizeof_entry(void);
size_t c11_sizeof_error(void);
size_t c11_offsetof_notify(void);
}

namespace {

namespace test = mdtc::test;

TEST(HostAbiHeader, CompilesAsC11WithTheSameLayoutAsCxx) {
  EXPECT_EQ(c11_sizeof_callbacks(), sizeof(mdt_host_callbacks));
  EXPECT_EQ(c11_sizeof_create_info(), sizeof(mdt_plugin_create_info));
  EXPECT_EQ(c11_sizeof_entry(), sizeof(mdt_plugin_entry));
  EXPECT_EQ(c11_sizeof_error(), sizeof(mdt_error));
  EXPECT_EQ(c11_offsetof_notify(), offsetof(mdt_host_callbacks, notify));
}

class LoadedPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    lib = dlopen(MDTC_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    ASSERT_NE(lib, nullptr) << dlerror();
    auto get = reinterpret_cast<mdt_plugin_get_entry_fn>(dlsym(lib, MDT_PLUGIN_ENTRY_SYMBOL));
    ASSERT_NE(get, nullptr);
    entry = get(MDT_HOST_API_VERSION);
    ASSERT_NE(entry, nullptr);
    callbacks.struct_size = sizeof callbacks;
    callbacks.api_version = MDT_HOST_API_VERSION;
    callbacks.show_panel = [](void*, const char*, const char*) -> int32_t { return MDT_OK; };
    callbacks.update_panel = [](void*, const char*, const char*) -> int32_t { return MDT_OK; };
    callbacks.close_panel = [](void*, const char*) -> int32_t { return MDT_OK; };
    callbacks.log = [](void*, int32_t, const char*, const char*) {};
    error.struct_size = sizeof error;
  }
  void TearDown() override {
    if (lib) dlclose(lib);
  }
  int32_t create(const std::string& config_text, mdt_plugin** out) {
    test::write_file(dir.file("fleet.ini"), config_text);
    config_path = dir.file("fleet.ini");
    info.struct_size = sizeof info;
    info.api_version = MDT_HOST_API_VERSION;
    info.config_path = config_path.c_str();
    return entry->create(&callbacks, &info, out, &error);
  }

  test::TempDir dir;
  void* lib = nullptr;
  const mdt_plugin_entry* entry = nullptr;
  mdt_host_callbacks callbacks{};
  mdt_plugin_create_info info{};
  mdt_error error{};
  std::string config_path;
};

TEST_F(LoadedPlugin, EntryTableIsCompleteAndVersioned) {
  EXPECT_EQ(entry->struct_size, sizeof(mdt_plugin_entry));
  EXPECT_EQ(entry->api_version, MDT_HOST_API_VERSION);
  EXPECT_STREQ(entry->plugin_name, "mdt-coresponder");
  EXPECT_STREQ(entry->plugin_version, MDTC_VERSION) << "the version hosts see is the project's";
  for (const void* fn : {(const void*)entry->create, (const void*)entry->start,
                         (const void*)entry->stop, (const void*)entry->destroy,
                         (const void*)entry->on_user_action, (const void*)entry->status_json,
                         (const void*)entry->free_string})
    EXPECT_NE(fn, nullptr);
}

TEST_F(LoadedPlugin, RefusesAnotherHostApiVersion) {
  auto get = reinterpret_cast<mdt_plugin_get_entry_fn>(dlsym(lib, MDT_PLUGIN_ENTRY_SYMBOL));
  EXPECT_EQ(get(MDT_HOST_API_VERSION + 1), nullptr);
}

TEST_F(LoadedPlugin, ExportsNothingButTheEntrySymbol) {
  // Internal C++ symbols stay hidden so two plugins never clash in one host.
  EXPECT_EQ(dlsym(lib, "_ZN4mdtc6plugin8Pipeline10on_messageERKNS_6bridge7MessageEl"), nullptr);
  EXPECT_EQ(dlsym(lib, "plugin_create"), nullptr);
}

TEST_F(LoadedPlugin, InvalidConfigIsRefusedWithCodeAndMessage) {
  mdt_plugin* plugin = nullptr;
  EXPECT_EQ(create("[gps]\nbaud = 9601\n", &plugin), MDT_ERR_CONFIG);
  EXPECT_EQ(plugin, nullptr);
  EXPECT_EQ(error.code, MDT_ERR_CONFIG);
  EXPECT_NE(std::string(error.message).find("gps.baud"), std::string::npos) << error.message;
}

TEST_F(LoadedPlugin, ConfigWithoutTheUnitsIdentityIsRefused) {
  mdt_plugin* plugin = nullptr;
  // Before, a missing unit.id became 2A31 and the car took 2A31's dispatches.
  EXPECT_EQ(create("[unit]\nname = Patrol car\n[gps]\nbaud = 4800\n", &plugin), MDT_ERR_CONFIG);
  EXPECT_EQ(plugin, nullptr);
  const std::string message = error.message;
  EXPECT_NE(message.find(config_path + ": unit.id is not set"), std::string::npos) << message;
  EXPECT_NE(message.find("unit.role is not set"), std::string::npos) << message;
}

TEST_F(LoadedPlugin, CurveSecretKeyReadableByOthersIsRefused) {
  const std::string key = dir.file("client.key");
  test::write_file(key, "public=Example.Springfield.Unit.Key.NotReal.000\n"
                        "secret=Example.Springfield.Unit.Secret.NotReal0\n");
  ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
  mdt_plugin* plugin = nullptr;
  EXPECT_EQ(create("[unit]\nid = 2A31\nrole = patrol\n[cad]\nserver_public_key = "
                   "Example.Springfield.Gateway.Key.NotReal0\nclient_key_file = " + key + "\n",
                   &plugin),
            MDT_ERR_CONFIG);
  EXPECT_EQ(plugin, nullptr);
  EXPECT_NE(std::string(error.message).find("has mode 0644: group or others can read the secret"),
            std::string::npos)
      << error.message;
}

TEST_F(LoadedPlugin, MissingConfigFileIsNamed) {
  info.struct_size = sizeof info;
  info.api_version = MDT_HOST_API_VERSION;
  info.config_path = "/nonexistent/mdt/fleet.ini";
  mdt_plugin* plugin = nullptr;
  EXPECT_EQ(entry->create(&callbacks, &info, &plugin, &error), MDT_ERR_CONFIG);
  EXPECT_NE(std::string(error.message).find("/nonexistent/mdt/fleet.ini"), std::string::npos)
      << error.message;
}

TEST_F(LoadedPlugin, HostTableMissingARequiredCallbackIsRefused) {
  callbacks.close_panel = nullptr;
  mdt_plugin* plugin = nullptr;
  EXPECT_EQ(create("[unit]\nid = 2A31\nrole = patrol\n", &plugin), MDT_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(error.message).find("close_panel"), std::string::npos) << error.message;
}

TEST_F(LoadedPlugin, HostTableOfAnotherVersionIsRefused) {
  callbacks.api_version = 99;
  mdt_plugin* plugin = nullptr;
  EXPECT_EQ(create("[unit]\nid = 2A31\nrole = patrol\n", &plugin), MDT_ERR_VERSION);
}

TEST_F(LoadedPlugin, NullArgumentsAreErrorsNotCrashes) {
  EXPECT_EQ(entry->create(&callbacks, nullptr, nullptr, &error), MDT_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(entry->start(nullptr, &error), MDT_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(entry->on_user_action(nullptr, "p", "a", nullptr, &error), MDT_ERR_INVALID_ARGUMENT);
  entry->destroy(nullptr);
  entry->free_string(nullptr);
  EXPECT_EQ(entry->status_json(nullptr), nullptr);
}

TEST_F(LoadedPlugin, SecondInstanceIsRefusedUntilTheFirstIsDestroyed) {
  // Each instance logs to its own host; a second would share the first's
  // process-wide log channel, so the header says one instance per process.
  mdt_plugin* first = nullptr;
  ASSERT_EQ(create("[unit]\nid = 2A31\nrole = patrol\n", &first), MDT_OK) << error.message;
  mdt_plugin* second = nullptr;
  EXPECT_EQ(create("[unit]\nid = 2A32\nrole = patrol\n", &second), MDT_ERR_STATE);
  EXPECT_EQ(second, nullptr);
  EXPECT_NE(std::string(error.message).find("one instance per process"), std::string::npos)
      << error.message;
  entry->destroy(first);
  ASSERT_EQ(create("[unit]\nid = 2A32\nrole = patrol\n", &second), MDT_OK) << error.message;
  entry->destroy(second);
}

TEST_F(LoadedPlugin, ActionBeforeStartIsAStateError) {
  mdt_plugin* plugin = nullptr;
  ASSERT_EQ(create("[unit]\nid = 2A31\nrole = patrol\n", &plugin), MDT_OK) << error.message;
  EXPECT_EQ(entry->on_user_action(plugin, "coresponder:I-1", "request_coresponder", nullptr, &error),
            MDT_ERR_STATE);
  char* status = entry->status_json(plugin);
  ASSERT_NE(status, nullptr);
  EXPECT_NE(std::string(status).find("\"unit\":\"2A31\""), std::string::npos) << status;
  entry->free_string(status);
  EXPECT_EQ(entry->stop(plugin, &error), MDT_OK) << "stop before start is harmless";
  entry->destroy(plugin);
}

}  // namespace
