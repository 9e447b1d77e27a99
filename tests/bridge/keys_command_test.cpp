// `mdt-coresponder keys generate`, called the way main() calls it.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "commands.h"
#include "mdtc/bridge.h"
#include "temp_dir.h"

using mdtc::cli::keys_command;

TEST(KeysCommand, GenerateWritesAPrivateKeyPairAndPrintsThePublicKey) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("unit.key");
  testing::internal::CaptureStdout();
  int rc = keys_command({"generate", "--out", path});
  std::string printed = testing::internal::GetCapturedStdout();
  ASSERT_EQ(rc, 0);
  struct stat st{};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto kp = mdtc::bridge::read_curve_key_file(path);
  ASSERT_TRUE(kp) << kp.error().message;
  EXPECT_EQ(printed, kp->public_key + "\n");
  EXPECT_EQ(printed.find(kp->secret_key), std::string::npos) << "the secret is never printed";
}

TEST(KeysCommand, RefusesToOverwriteWithoutForce) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("unit.key");
  testing::internal::CaptureStdout();
  ASSERT_EQ(keys_command({"generate", "--out", path}), 0);
  auto first = mdtc::test::read_file(path);
  testing::internal::CaptureStderr();
  EXPECT_EQ(keys_command({"generate", "--out", path}), 1);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("--force"), std::string::npos);
  EXPECT_EQ(mdtc::test::read_file(path), first);
  EXPECT_EQ(keys_command({"generate", "--out", path, "--force"}), 0);
  testing::internal::GetCapturedStdout();
  EXPECT_NE(mdtc::test::read_file(path), first);
}

TEST(KeysCommand, UsageErrorsExitTwo) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(keys_command({}), 2);
  EXPECT_EQ(keys_command({"generate"}), 2);
  EXPECT_EQ(keys_command({"rotate"}), 2);
  EXPECT_EQ(keys_command({"generate", "--out"}), 2);
  testing::internal::GetCapturedStderr();
}
