#include "host_callbacks.h"

#include <gtest/gtest.h>

#include <cstddef>

namespace mdtc::plugin {
namespace {

mdt_host_callbacks full_table() {
  mdt_host_callbacks t{};
  t.struct_size = sizeof t;
  t.api_version = MDT_HOST_API_VERSION;
  t.show_panel = [](void*, const char*, const char*) -> int32_t { return MDT_OK; };
  t.update_panel = [](void*, const char*, const char*) -> int32_t { return MDT_OK; };
  t.close_panel = [](void*, const char*) -> int32_t { return MDT_OK; };
  t.log = [](void*, int32_t, const char*, const char*) {};
  return t;
}

TEST(HostCallbacks, OlderSmallerTableIsAcceptedAndMissingTailIsAbsent) {
  auto t = full_table();
  t.notify = [](void*, int32_t, const char*) { FAIL() << "beyond the host's table"; };
  t.struct_size = offsetof(mdt_host_callbacks, current_user);  // a host built before these
  auto adopted = HostCallbacks::adopt(&t);
  ASSERT_TRUE(adopted.ok()) << adopted.error().message;
  adopted->notify(MDT_NOTIFY_INFO, "not delivered");
  EXPECT_EQ(adopted->current_user(), "");
}

TEST(HostCallbacks, TableTooSmallForRequiredCallbacksIsRefused) {
  auto t = full_table();
  t.struct_size = offsetof(mdt_host_callbacks, log);
  auto adopted = HostCallbacks::adopt(&t);
  ASSERT_FALSE(adopted.ok());
  EXPECT_EQ(adopted.error().code, "abi.too_small");
}

TEST(HostCallbacks, CurrentUserIsCopiedFromTheHost) {
  auto t = full_table();
  t.current_user = [](void*, char* buf, uint32_t size) -> int32_t {
    std::snprintf(buf, size, "%s", "ofc.demo");
    return 8;
  };
  auto adopted = HostCallbacks::adopt(&t);
  ASSERT_TRUE(adopted.ok());
  EXPECT_EQ(adopted->current_user(), "ofc.demo");
}

TEST(HostCallbacks, NobodySignedInIsAnEmptyUser) {
  auto t = full_table();
  t.current_user = [](void*, char*, uint32_t) -> int32_t { return -1; };
  auto adopted = HostCallbacks::adopt(&t);
  ASSERT_TRUE(adopted.ok());
  EXPECT_EQ(adopted->current_user(), "");
}

}  // namespace
}  // namespace mdtc::plugin
