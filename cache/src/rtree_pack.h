// Packs points into the nodes of an SQLite R*Tree (two dimensions) in one
// pass, by sort-tile-recursive grouping, instead of inserting them one at a
// time. SQLite's own insert chooses a leaf and splits or re-inserts cells
// point by point: about 11 µs a point, most of a million-premise snapshot's
// index build. Packing sorts once and fills every node, so the tree is built
// in well under a second and is about a third of the size.
//
// Pure: the caller reads the points and writes the result into the table's
// three shadow tables (see fill_premise_geo in schema.cpp). The node layout
// is SQLite's documented R*Tree storage format: a 2-byte tree depth
// (meaningful in the root only), a 2-byte cell count, then cells of an
// 8-byte id and four 4-byte floats (min/max of each dimension), all
// big-endian. Every node blob is exactly node_bytes long.
//
// Two forms of one tiling: RtreePacker takes the points already sorted by
// longitude, one at a time, and hands each node out as soon as it is made,
// holding one vertical slice of points and the level above the leaves (a
// fiftieth of the points) at a time, so the caller can sort through SQLite
// and memory stays small at a million premises. pack_rtree sorts in memory
// and collects everything (tests, small trees).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace mdtc::cache {

struct GeoPoint {
  int64_t rowid = 0;
  double lat = 0, lon = 0;
};

struct PackedNode {
  int64_t nodeno = 0;
  int64_t parent = 0;  // 0 for the root, which is always node 1
  std::vector<unsigned char> data;
};

struct PackedRtree {
  std::vector<PackedNode> nodes;                    // the root first
  std::vector<std::pair<int64_t, int64_t>> leaf_of;  // (rowid, leaf nodeno), by rowid
};

// Bytes per cell of a two-dimensional R*Tree: the id and four floats.
constexpr std::size_t kRtreeCellBytes = 8 + 4 * 4;

// What a streamed pack makes, handed out as it is made.
class RtreeSink {
 public:
  virtual ~RtreeSink() = default;
  // Every node once: the leaves first, the root (node 1) last.
  virtual void node(int64_t nodeno, const std::vector<unsigned char>& data) = 0;
  // Each point's leaf, in the order packed (not by rowid).
  virtual void leaf(int64_t rowid, int64_t nodeno) = 0;
  // Every node but the root, by ascending nodeno, after every node().
  virtual void parent(int64_t nodeno, int64_t parent) = 0;
};

// A cell of the level being packed: a premise's rowid at the leaves, a
// child node's number above them, with its box as stored.
struct RtreeEntry {
  int64_t id;
  float min_lat, max_lat, min_lon, max_lon;
};

class RtreePacker {
 public:
  // `count` points will be added; `node_bytes` is the size of the table's
  // node blobs (read from its root), which fixes how many cells a node
  // holds. Throws std::invalid_argument if a node holds fewer than two.
  RtreePacker(std::size_t count, std::size_t node_bytes, RtreeSink& sink);
  // The next point by ascending longitude (ties in any order). Coordinates
  // are stored as floats rounded outward (minimum down, maximum up), as
  // SQLite stores them, so a stored box always contains the point.
  void add(const GeoPoint& p);
  // After the last point: builds the levels above the leaves and the root.
  // Throws std::logic_error if the points added were not `count`.
  void finish();

 private:
  void start_slice();
  RtreeEntry emit(const std::vector<RtreeEntry>& level, std::size_t begin, std::size_t end, int depth, bool root);

  std::size_t count_, node_bytes_, cap_;
  RtreeSink& sink_;
  std::size_t nodes_ = 0, slices_ = 0;  // leaf nodes, vertical slices
  std::size_t slice_ = 0;                // the slice being filled
  std::size_t slice_target_ = 0;         // how many points it takes
  std::size_t slice_nodes_ = 0;          // in how many leaves
  std::size_t leaves_made_ = 0, added_ = 0;
  std::vector<RtreeEntry> slice_points_;
  std::vector<RtreeEntry> above_;  // one cell per leaf made
  std::vector<int64_t> parent_of_;  // by nodeno - 2
  std::vector<unsigned char> buffer_;
  int64_t next_ = 2;
  bool finished_ = false;
};

// The same tiling over points in any order, held in memory.
PackedRtree pack_rtree(std::vector<GeoPoint> points, std::size_t node_bytes);

}  // namespace mdtc::cache
