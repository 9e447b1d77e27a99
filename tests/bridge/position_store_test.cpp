#include "position_store.h"
#include "position_saver.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "temp_dir.h"

using mdtc::bridge::PositionSaver;
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

namespace {

std::unique_ptr<PositionStore> open_store(const std::string& path) {
  auto store = PositionStore::open(path);
  EXPECT_TRUE(store) << store.error().message;
  return store ? std::move(store.value()) : nullptr;
}

uint64_t saved_seq(const std::string& path) {
  auto rows = open_store(path)->load();
  EXPECT_TRUE(rows);
  return rows && rows->size() == 1 ? (*rows)[0].last_seq : 0;
}

}  // namespace

// The saver writes on its own thread; what it is handed last is what is kept.
TEST(PositionSaver, FlushWritesTheNewestOfWhatWasOffered) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("outbox.db");
  PositionSaver saver(open_store(path));
  for (uint64_t seq = 1; seq <= 50; ++seq) saver.offer({{"unit.2A31", "e1", seq, 1000, {}}});
  saver.flush();
  EXPECT_EQ(saved_seq(path), 50u);
  const auto outcome = saver.take_outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(*outcome);
  EXPECT_FALSE(saver.take_outcome().has_value()) << "an outcome is handed out once";
}

TEST(PositionSaver, WhatIsPendingIsWrittenBeforeItStops) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("outbox.db");
  {
    PositionSaver saver(open_store(path));
    saver.offer({{"unit.2A31", "e1", 7, 1000, {}}});
  }
  EXPECT_EQ(saved_seq(path), 7u);
}

TEST(PositionSaver, AWriteTheFileRefusesIsReportedNotLost) {
  mdtc::test::TempDir dir;
  const auto path = dir.file("outbox.db");
  PositionSaver saver(open_store(path));
  // Another connection takes the table away: the next save fails in SQLite.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TABLE link_position", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  saver.offer({{"unit.2A31", "e1", 9, 1000, {}}});
  saver.flush();
  const auto outcome = saver.take_outcome();
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(*outcome);
  EXPECT_EQ(outcome->error().code, "bridge.positions");
}
