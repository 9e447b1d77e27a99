#include "outbox.h"

#include <gtest/gtest.h>

#include "small_disk.h"
#include "fault_vfs.h"
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

// Issue 16: what waits for the disk. A queued message is on disk before
// enqueue returns; an ack's delete is not waited for (a lost one only means
// a resend the gateway acks again), and does not leave the next enqueue
// unsynced.
TEST(Outbox, EnqueueWaitsForTheDiskAndAnAcksDeleteDoesNot) {
  mdtc::test::TempDir dir;
  mdtc::test::FaultVfs vfs;
  auto box = Outbox::open(dir.file("outbox.db"));
  ASSERT_TRUE(box) << box.error().message;
  int before = vfs.syncs();
  ASSERT_TRUE(add(*box.value(), "k1"));
  EXPECT_GT(vfs.syncs(), before) << "a queued message must be on disk before enqueue returns";
  before = vfs.syncs();
  ASSERT_TRUE(box.value()->remove("k1"));
  EXPECT_EQ(vfs.syncs(), before) << "an ack's delete waited for the disk";
  before = vfs.syncs();
  ASSERT_TRUE(add(*box.value(), "k2"));
  EXPECT_GT(vfs.syncs(), before) << "the enqueue after a delete must still be synced";
  auto pending = box.value()->pending();
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ(pending->at(0).key, "k2");
}

// A write that fails mid-enqueue (a bad sector, a full disk): that message
// and the ones after it are held in memory and said to be so (kept =
// false, fault() set); nothing queued before is lost, and none after.
TEST(Outbox, AFailedWriteLosesNothingQueued) {
  mdtc::test::TempDir dir;
  mdtc::test::FaultVfs vfs;
  auto box = Outbox::open(dir.file("outbox.db"));
  ASSERT_TRUE(box) << box.error().message;
  ASSERT_TRUE(add(*box.value(), "k1"));
  vfs.fail_write(1);
  auto k2 = add(*box.value(), "k2");
  ASSERT_TRUE(k2) << k2.error().message;
  EXPECT_EQ(vfs.refused_writes(), 1);
  EXPECT_FALSE(k2->kept) << "a message the disk refused is not on disk";
  EXPECT_TRUE(box.value()->fault().has_value());
  ASSERT_TRUE(add(*box.value(), "k3"));
  auto pending = box.value()->pending();
  ASSERT_TRUE(pending);
  std::vector<std::string> keys;
  for (const auto& e : *pending) keys.push_back(e.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"k1", "k2", "k3"}));
}

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

TEST(Outbox, UnwritablePathIsAStorageFault) {
  auto box = Outbox::open("/nonexistent-dir/for/outbox.db");
  ASSERT_FALSE(box);
  EXPECT_TRUE(mdtc::bridge::is_storage_fault(box.error())) << box.error().code;
}

TEST(Outbox, FullDiskQueuesInMemoryNotKeptAndStoresItWhenSpaceReturns) {
  mdtc::test::SmallDisk disk;
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  const auto path = disk.file("outbox.db");
  uint64_t seq = 0;
  {
    auto box = Outbox::open(path);
    ASSERT_TRUE(box) << box.error().message;
    auto first = add(*box.value(), "before", &seq);
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->kept);
    disk.fill();
    // Enough that the WAL must grow past what it already had.
    for (int i = 0; i < 50; ++i) {
      auto e = add(*box.value(), "full-" + std::to_string(i), &seq);
      ASSERT_TRUE(e) << e.error().message;
      if (i == 49) {
        EXPECT_FALSE(e->kept);
      }
    }
    ASSERT_TRUE(box.value()->fault().has_value());
    EXPECT_EQ(box.value()->fault()->code, "storage.full");
    EXPECT_EQ(box.value()->size(), 51u) << "a message not kept is still pending until acked";
    EXPECT_FALSE(box.value()->retry()) << "still full";
    disk.free_space();
    ASSERT_TRUE(box.value()->retry());
    EXPECT_FALSE(box.value()->fault().has_value());
    auto after = add(*box.value(), "after", &seq);
    ASSERT_TRUE(after);
    EXPECT_TRUE(after->kept);
  }
  auto reopened = Outbox::open(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened.value()->size(), 52u) << "what was held in memory was stored on retry";
  uint64_t next = 0;
  ASSERT_TRUE(add(*reopened.value(), "next", &next));
  EXPECT_EQ(next, seq + 1) << "the seq kept rising through the fault";
}

TEST(Outbox, ReadOnlyDiskAtOpenQueuesInMemoryUntilItIsWritable) {
  mdtc::test::SmallDisk disk;
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  disk.read_only(true);
  const auto path = disk.file("outbox.db");
  auto opened = Outbox::open(path);
  ASSERT_FALSE(opened);
  ASSERT_TRUE(mdtc::bridge::is_storage_fault(opened.error()));
  auto box = Outbox::until_writable(path, opened.error());
  auto e = add(*box, "ro-1");
  ASSERT_TRUE(e);
  EXPECT_FALSE(e->kept);
  EXPECT_FALSE(box->retry());
  disk.read_only(false);
  ASSERT_TRUE(box->retry());
  EXPECT_TRUE(add(*box, "ro-2")->kept);
  auto reopened = Outbox::open(path);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened.value()->size(), 2u);
}
