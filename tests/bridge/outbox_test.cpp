#include "outbox.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

using mdtc::Result;
using mdtc::bridge::Outbox;
using mdtc::bridge::OutboxEntry;

namespace {

Result<OutboxEntry> add(Outbox& box, const std::string& key, uint64_t* seq_out = nullptr) {
  return box.enqueue([&](uint64_t seq) -> Result<OutboxEntry> {
    if (seq_out) *seq_out = seq;
    return OutboxEntry{key, "{\"seq\":" + std::to_string(seq) + "}"};
  });
}

}  // namespace

TEST(Outbox, EntriesAndSeqSurviveReopen) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("outbox.db");
  {
    auto box = Outbox::open(path);
    ASSERT_TRUE(box) << box.error().message;
    ASSERT_TRUE(add(*box.value(), "k1"));
    ASSERT_TRUE(add(*box.value(), "k2"));
    ASSERT_TRUE(box.value()->remove("k1"));
  }
  auto box = Outbox::open(path);
  ASSERT_TRUE(box) << box.error().message;
  auto pending = box.value()->pending();
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->at(0).key, "k2");
  uint64_t seq = 0;
  ASSERT_TRUE(add(*box.value(), "k3", &seq));
  EXPECT_EQ(seq, 3u) << "outbound seq keeps rising across restarts";
}

TEST(Outbox, FailedBodyLeavesNothingBehind) {
  auto box = Outbox::open("");
  ASSERT_TRUE(box);
  auto r = box.value()->enqueue([](uint64_t) -> Result<OutboxEntry> {
    return mdtc::make_error("wire.too_large", "too big");
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(box.value()->size(), 0u);
}

TEST(Outbox, DuplicateKeyIsRefusedAndRolledBack) {
  mdtc::test::TempDir dir;
  auto box = Outbox::open(dir.file("o.db"));
  ASSERT_TRUE(box);
  ASSERT_TRUE(add(*box.value(), "same"));
  EXPECT_FALSE(add(*box.value(), "same"));
  EXPECT_EQ(box.value()->size(), 1u);
  uint64_t seq = 0;
  ASSERT_TRUE(add(*box.value(), "other", &seq));
  EXPECT_EQ(seq, 2u) << "a rolled-back enqueue does not consume a seq";
}

TEST(Outbox, UnwritablePathIsAnError) {
  auto box = Outbox::open("/nonexistent-dir/for/outbox.db");
  ASSERT_FALSE(box);
  EXPECT_EQ(box.error().code, "bridge.outbox");
}
