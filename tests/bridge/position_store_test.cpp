#include "position_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "temp_dir.h"

using mdtc::bridge::PositionStore;
using mdtc::bridge::TopicPosition;

TEST(PositionStore, KeepsWhatWasDeliveredBeyondAGap) {
  mdtc::test::TempDir dir;
  {
    auto store = PositionStore::open(dir.file("outbox.db"));
    ASSERT_TRUE(store);
    ASSERT_TRUE(store.value()->save({{"unit.2A31", "e1", 15, 1000, {17, 18}}, {"all", "e1", 3, 1000, {}}}));
  }
  auto store = PositionStore::open(dir.file("outbox.db"));
  ASSERT_TRUE(store);
  auto rows = store.value()->load();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  for (const auto& p : *rows) {
    if (p.topic == "unit.2A31") EXPECT_EQ(p.ahead, (std::vector<uint64_t>{17, 18}));
    else EXPECT_TRUE(p.ahead.empty());
  }
}

TEST(PositionStore, FileFromBeforeGapSeqsWereKeptOpensWithNone) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("outbox.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE link_position(topic TEXT PRIMARY KEY, epoch TEXT NOT NULL,"
                         " last_seq INTEGER NOT NULL, saved_at_ms INTEGER NOT NULL);"
                         "INSERT INTO link_position VALUES('unit.2A31','e1',7,1000);",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = PositionStore::open(path);
  ASSERT_TRUE(store) << store.error().message;
  auto rows = store.value()->load();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].last_seq, 7u);
  EXPECT_TRUE((*rows)[0].ahead.empty());
  EXPECT_TRUE(store.value()->save({{"unit.2A31", "e1", 7, 2000, {9}}}));
}
