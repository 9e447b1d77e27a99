// The packed R*Tree: its nodes obey SQLite's format and limits, SQLite's own
// check accepts it, boxes find exactly the points a plain scan finds, and
// SQLite can go on inserting, moving and deleting in it afterwards.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <map>
#include <random>
#include <set>

#include "rtree_pack.h"
#include "schema.h"
#include "mdtc/sqlite.h"
#include "temp_dir.h"

namespace mdtc::cache {
namespace {

using sql::Db;
using sql::Stmt;

constexpr std::size_t kNodeBytes = 1228;  // what SQLite gives a 2-D R*Tree on 4 KiB pages
constexpr std::size_t kCap = (kNodeBytes - 4) / kRtreeCellBytes;

uint64_t big_endian(const unsigned char* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

float coord(const unsigned char* cell, int i) {
  const auto bits = static_cast<uint32_t>(big_endian(cell + 8 + 4 * i, 4));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

std::vector<GeoPoint> random_points(std::size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> lat(39.60, 39.90), lon(-89.80, -89.50);
  std::vector<GeoPoint> points;
  for (std::size_t i = 0; i < n; ++i) points.push_back({static_cast<int64_t>(i + 1), lat(rng), lon(rng)});
  return points;
}

// Walks the packed tree from the root: every cell's box lies inside its
// parent's cell, parents are recorded, leaves hold each rowid once, and all
// leaves are at the depth the root states.
void check_structure(const PackedRtree& t, const std::vector<GeoPoint>& points) {
  ASSERT_FALSE(t.nodes.empty());
  std::map<int64_t, const PackedNode*> by_no;
  for (const PackedNode& n : t.nodes) {
    ASSERT_EQ(n.data.size(), kNodeBytes);
    ASSERT_TRUE(by_no.emplace(n.nodeno, &n).second) << "node " << n.nodeno << " twice";
  }
  ASSERT_EQ(t.nodes.front().nodeno, 1);
  EXPECT_EQ(t.nodes.front().parent, 0);
  const auto depth = static_cast<int>(big_endian(t.nodes.front().data.data(), 2));
  std::map<int64_t, GeoPoint> wanted;
  for (const GeoPoint& p : points) wanted[p.rowid] = p;
  std::set<int64_t> seen;
  std::map<int64_t, int64_t> leaf_of;
  struct Visit {
    int64_t nodeno;
    int level;
    float box[4];
  };
  const float everything[4] = {-1e30f, 1e30f, -1e30f, 1e30f};
  std::vector<Visit> todo{{1, depth, {everything[0], everything[1], everything[2], everything[3]}}};
  std::size_t visited = 0;
  while (!todo.empty()) {
    const Visit v = todo.back();
    todo.pop_back();
    ++visited;
    const PackedNode& n = *by_no.at(v.nodeno);
    const auto cells = static_cast<std::size_t>(big_endian(n.data.data() + 2, 2));
    ASSERT_LE(cells, kCap);
    if (v.nodeno != 1) {
      ASSERT_GE(cells, kCap / 3) << "node " << v.nodeno << " nearly empty";
    }
    for (std::size_t c = 0; c < cells; ++c) {
      const unsigned char* cell = n.data.data() + 4 + c * kRtreeCellBytes;
      const auto id = static_cast<int64_t>(big_endian(cell, 8));
      float box[4];
      for (int i = 0; i < 4; ++i) box[i] = coord(cell, i);
      EXPECT_LE(box[0], box[1]);
      EXPECT_LE(box[2], box[3]);
      EXPECT_TRUE(box[0] >= v.box[0] && box[1] <= v.box[1] && box[2] >= v.box[2] && box[3] <= v.box[3])
          << "cell " << id << " of node " << v.nodeno << " sticks out of its parent's box";
      if (v.level == 0) {
        ASSERT_TRUE(seen.insert(id).second) << "rowid " << id << " twice";
        const GeoPoint& p = wanted.at(id);
        EXPECT_TRUE(box[0] <= p.lat && p.lat <= box[1] && box[2] <= p.lon && p.lon <= box[3]) << id;
        leaf_of[id] = v.nodeno;
      } else {
        EXPECT_EQ(by_no.at(id)->parent, v.nodeno);
        todo.push_back({id, v.level - 1, {box[0], box[1], box[2], box[3]}});
      }
    }
  }
  EXPECT_EQ(visited, t.nodes.size()) << "nodes not reachable from the root";
  EXPECT_EQ(seen.size(), points.size());
  ASSERT_EQ(t.leaf_of.size(), points.size());
  EXPECT_TRUE(std::is_sorted(t.leaf_of.begin(), t.leaf_of.end()));
  for (const auto& [rowid, nodeno] : t.leaf_of) EXPECT_EQ(leaf_of.at(rowid), nodeno);
}

TEST(RtreePack, EmptyIsAnEmptyRootLeaf) {
  const PackedRtree t = pack_rtree({}, kNodeBytes);
  ASSERT_EQ(t.nodes.size(), 1u);
  EXPECT_EQ(t.nodes[0].nodeno, 1);
  EXPECT_EQ(t.nodes[0].data, std::vector<unsigned char>(kNodeBytes, 0));
  EXPECT_TRUE(t.leaf_of.empty());
}

TEST(RtreePack, SizesAroundANodeAndALevel) {
  for (std::size_t n : {std::size_t{1}, kCap, kCap + 1, kCap * kCap, kCap * kCap + 1, std::size_t{20000}}) {
    SCOPED_TRACE(n);
    const auto points = random_points(n, n);
    const PackedRtree t = pack_rtree(points, kNodeBytes);
    check_structure(t, points);
    // Full nodes: no more nodes than the points need, level by level.
    std::size_t bound = 0;
    for (std::size_t level = n; level > kCap; level = (level + kCap - 1) / kCap) bound += (level + kCap - 1) / kCap;
    EXPECT_LE(t.nodes.size(), bound + 1);
  }
}

TEST(RtreePack, StoredBoxesRoundOutward) {
  // 0.1 is not a float: the minimum must round down, the maximum up.
  const PackedRtree t = pack_rtree({{7, 0.1, -0.1}}, kNodeBytes);
  const unsigned char* cell = t.nodes[0].data.data() + 4;
  EXPECT_EQ(big_endian(cell, 8), 7u);
  EXPECT_LT(coord(cell, 0), 0.1);
  EXPECT_GT(coord(cell, 1), 0.1);
  EXPECT_LT(coord(cell, 2), -0.1);
  EXPECT_GT(coord(cell, 3), -0.1);
}

TEST(RtreePack, RefusesNodesTooSmallForTwoCells) {
  EXPECT_THROW(pack_rtree({}, 4 + kRtreeCellBytes), std::invalid_argument);
}

TEST(RtreePack, StreamedPackHoldsItsCountToItsWord) {
  struct Nothing : RtreeSink {
    void node(int64_t, const std::vector<unsigned char>&) override {}
    void leaf(int64_t, int64_t) override {}
    void parent(int64_t, int64_t) override {}
  } sink;
  RtreePacker fewer(3, kNodeBytes, sink);
  fewer.add({1, 1, 1});
  EXPECT_THROW(fewer.finish(), std::logic_error);
  RtreePacker more(1, kNodeBytes, sink);
  more.add({1, 1, 1});
  EXPECT_THROW(more.add({2, 1, 2}), std::logic_error);
}

TEST(RtreePack, TiesInBothCoordinates) {
  // Many premises at one point (flats of a block) and on one meridian.
  std::vector<GeoPoint> points;
  for (int64_t i = 1; i <= 3000; ++i) points.push_back({i, 39.7 + (i % 3 == 0 ? 0.0 : 0.001 * static_cast<double>(i % 17)), -89.6});
  for (int64_t i = 3001; i <= 6000; ++i) points.push_back({i, 39.75, -89.65});
  const PackedRtree t = pack_rtree(points, kNodeBytes);
  check_structure(t, points);
}

// --- in SQLite ---------------------------------------------------------------

class PackedGeo : public ::testing::Test {
 protected:
  void SetUp() override {
    db = Db(dir.path() + "/geo.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    const FieldCipher cipher(Key{});
    migrate(db, kSchemaVersion, &cipher);
  }

  // A snapshot's rebuild over `points` (premises rowid = position + 1).
  void load(const std::vector<GeoPoint>& points) {
    Transaction tx(db);
    begin_replace_all(db);
    Stmt put(db, "INSERT INTO premises(rowid, id, display, lat, lon) VALUES(?1, ?2, ?2, ?3, ?4)");
    for (const GeoPoint& p : points) put.bind(1, p.rowid).bind(2, "P-" + std::to_string(p.rowid)).bind(3, p.lat).bind(4, p.lon).run();
    end_replace_all(db);
    tx.commit();
  }

  std::string rtreecheck() {
    Stmt q(db, "SELECT rtreecheck('premise_geo')");
    EXPECT_TRUE(q.step());
    return q.text(0);
  }

  std::set<int64_t> in_box(double lat0, double lat1, double lon0, double lon1, const char* table = "premise_geo") {
    Stmt q(db, std::string("SELECT rid FROM ") + table + " WHERE min_lat <= ?2 AND max_lat >= ?1 AND min_lon <= ?4 AND max_lon >= ?3");
    q.bind(1, lat0).bind(2, lat1).bind(3, lon0).bind(4, lon1);
    std::set<int64_t> ids;
    while (q.step()) ids.insert(q.integer(0));
    return ids;
  }

  // Every box query agrees with a scan of the premises, except for points
  // within a float's rounding of an edge, which either answer may hold.
  void expect_queries_match_scan(uint64_t seed) {
    std::map<int64_t, std::pair<double, double>> all;
    Stmt scan(db, "SELECT rowid, lat, lon FROM premises WHERE lat IS NOT NULL AND lon IS NOT NULL");
    while (scan.step()) all[scan.integer(0)] = {scan.real(1), scan.real(2)};
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> lat(39.55, 39.95), lon(-89.85, -89.45), size(0.0001, 0.05);
    const double slack = 1e-5;
    for (int i = 0; i < 200; ++i) {
      const double a = lat(rng), b = a + size(rng), c = lon(rng), d = c + size(rng);
      const std::set<int64_t> got = in_box(a, b, c, d);
      for (const auto& [rowid, ll] : all) {
        const bool inside = ll.first >= a && ll.first <= b && ll.second >= c && ll.second <= d;
        const bool near_edge = std::min({std::abs(ll.first - a), std::abs(ll.first - b), std::abs(ll.second - c),
                                         std::abs(ll.second - d)}) < slack;
        if (!near_edge) {
          ASSERT_EQ(got.count(rowid) == 1, inside) << "rowid " << rowid << " box " << i;
        }
      }
    }
  }

  test::TempDir dir;
  Db db;
};

TEST_F(PackedGeo, SqliteAcceptsThePackedTree) {
  load(random_points(30000, 1));
  EXPECT_EQ(rtreecheck(), "ok");
  Stmt nodes(db, "SELECT count(*) FROM premise_geo_node");
  nodes.step();
  EXPECT_LE(nodes.integer(0), static_cast<int64_t>(30000 / kCap + 30000 / kCap / kCap + 3));
  expect_queries_match_scan(2);
}

TEST_F(PackedGeo, PremisesWithoutCoordinatesAreLeftOut) {
  auto points = random_points(500, 3);
  load(points);
  {
    Transaction tx(db);
    begin_replace_all(db);
    db.exec("INSERT INTO premises(rowid, id, display) VALUES(1, 'P-1', 'no position')");
    db.exec("INSERT INTO premises(rowid, id, display, lat, lon) VALUES(2, 'P-2', 'x', 39.7, -89.6)");
    end_replace_all(db);
    tx.commit();
  }
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_EQ(in_box(-90, 90, -180, 180), (std::set<int64_t>{2}));
}

TEST_F(PackedGeo, SqliteKeepsItInStepAfterwards) {
  load(random_points(20000, 4));
  // What a delta does through the triggers: new premises, moved ones, gone ones.
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> lat(39.60, 39.90), lon(-89.80, -89.50);
  {
    Transaction tx(db);
    Stmt add(db, "INSERT INTO premises(id, display, lat, lon) VALUES(?1, ?1, ?2, ?3)");
    for (int i = 0; i < 3000; ++i) add.bind(1, "N-" + std::to_string(i)).bind(2, lat(rng)).bind(3, lon(rng)).run();
    Stmt move(db, "UPDATE premises SET lat = ?2, lon = ?3 WHERE rowid = ?1");
    for (int64_t r = 1; r <= 20000; r += 7) move.bind(1, r).bind(2, lat(rng)).bind(3, lon(rng)).run();
    db.exec("DELETE FROM premises WHERE rowid % 5 = 0");
    db.exec("UPDATE premises SET lat = NULL WHERE rowid % 11 = 0");
    tx.commit();
  }
  EXPECT_EQ(rtreecheck(), "ok");
  expect_queries_match_scan(6);
  // Emptied row by row, down to the root.
  db.exec("DELETE FROM premises");
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_TRUE(in_box(-90, 90, -180, 180).empty());
}

// The streamed pack (sorted by SQLite, tiled a slice at a time) answers
// every box query as SQLite's own point-by-point insert of the same points
// does, for points spread out, piled on one spot and on one meridian.
TEST_F(PackedGeo, AnswersAsSqlitesOwnInsertDoes) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> lat(39.60, 39.90), lon(-89.80, -89.50);
  std::vector<GeoPoint> points;
  for (int64_t i = 1; i <= 4000; ++i) {
    if (i % 4 == 0) points.push_back({i, 39.75, -89.65});            // one spot
    else if (i % 4 == 1) points.push_back({i, lat(rng), -89.70});    // one meridian
    else points.push_back({i, lat(rng), lon(rng)});
  }
  load(points);
  ASSERT_EQ(rtreecheck(), "ok");
  db.exec("CREATE VIRTUAL TABLE plain_geo USING rtree(rid, min_lat, max_lat, min_lon, max_lon)");
  {
    Transaction tx(db);
    Stmt put(db, "INSERT INTO plain_geo VALUES(?1, ?2, ?2, ?3, ?3)");
    for (const GeoPoint& p : points) put.bind(1, p.rowid).bind(2, p.lat).bind(3, p.lon).run();
    tx.commit();
  }
  // Both store each point as a float box rounded outward; the two roundings
  // may differ by one float step, so only points that close to an edge of
  // the query may differ.
  const auto near_edge = [&](int64_t rowid, double a, double b, double c, double d) {
    const GeoPoint& p = points[static_cast<std::size_t>(rowid - 1)];
    return std::min({std::abs(p.lat - a), std::abs(p.lat - b), std::abs(p.lon - c), std::abs(p.lon - d)}) < 1e-5;
  };
  std::uniform_real_distribution<double> qlat(39.55, 39.95), qlon(-89.85, -89.45), size(0.0001, 0.1);
  for (int i = 0; i < 300; ++i) {
    const double a = qlat(rng), b = a + size(rng), c = qlon(rng), d = c + size(rng);
    const std::set<int64_t> packed = in_box(a, b, c, d), plain = in_box(a, b, c, d, "plain_geo");
    std::vector<int64_t> differ;
    std::set_symmetric_difference(packed.begin(), packed.end(), plain.begin(), plain.end(), std::back_inserter(differ));
    for (const int64_t r : differ) EXPECT_TRUE(near_edge(r, a, b, c, d)) << "rowid " << r << " box " << i;
  }
  // Boxes around the piles hold all of them.
  EXPECT_EQ(in_box(39.7499, 39.7501, -89.6501, -89.6499), in_box(39.7499, 39.7501, -89.6501, -89.6499, "plain_geo"));
  EXPECT_EQ(in_box(-90, 90, -89.7001, -89.6999), in_box(-90, 90, -89.7001, -89.6999, "plain_geo"));
  EXPECT_EQ(in_box(-90, 90, -180, 180).size(), points.size());
}

TEST_F(PackedGeo, EmptyAndOneNode) {
  load({});
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_TRUE(in_box(-90, 90, -180, 180).empty());
  load(random_points(kCap, 8));
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_EQ(in_box(-90, 90, -180, 180).size(), kCap);
  load(random_points(kCap + 1, 9));
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_EQ(in_box(-90, 90, -180, 180).size(), kCap + 1);
}

// Rowids close together but not from 1, with gaps (a snapshot with deletes
// over a cache that numbered its premises further): noted by rowid and
// written in order at the end.
TEST_F(PackedGeo, DenseRowidsFromFarOn) {
  auto points = random_points(3000, 12);
  for (GeoPoint& p : points) p.rowid = 1000000 + p.rowid * 3 / 2;
  load(points);
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_EQ(in_box(-90, 90, -180, 180).size(), points.size());
  Stmt leaves(db, "SELECT min(rowid), max(rowid), count(*) FROM premise_geo_rowid");
  ASSERT_TRUE(leaves.step());
  EXPECT_EQ(leaves.integer(0), points.front().rowid);
  EXPECT_EQ(leaves.integer(1), points.back().rowid);
  EXPECT_EQ(leaves.integer(2), static_cast<int64_t>(points.size()));
  expect_queries_match_scan(13);
}

// Rowids far apart (premises deleted and added over years of deltas before
// a snapshot with deletes): each leaf is written as it comes.
TEST_F(PackedGeo, SparseRowids) {
  auto points = random_points(3000, 10);
  for (GeoPoint& p : points) p.rowid *= 1000;
  load(points);
  EXPECT_EQ(rtreecheck(), "ok");
  EXPECT_EQ(in_box(-90, 90, -180, 180).size(), points.size());
  expect_queries_match_scan(11);
}

}  // namespace
}  // namespace mdtc::cache
