#include "rtree_pack.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace mdtc::cache {
namespace {

using Entry = RtreeEntry;

// Twice the centre: only ever compared, so the halving is left out.
double lat2(const Entry& e) { return static_cast<double>(e.min_lat) + e.max_lat; }
double lon2(const Entry& e) { return static_cast<double>(e.min_lon) + e.max_lon; }

float round_down(double d) {
  const float f = static_cast<float>(d);
  return f > d ? std::nextafter(f, -std::numeric_limits<float>::infinity()) : f;
}

float round_up(double d) {
  const float f = static_cast<float>(d);
  return f < d ? std::nextafter(f, std::numeric_limits<float>::infinity()) : f;
}

void put_big_endian(unsigned char* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    p[i] = static_cast<unsigned char>(v & 0xff);
    v >>= 8;
  }
}

void put_cell(unsigned char* p, const Entry& e) {
  put_big_endian(p, static_cast<uint64_t>(e.id), 8);
  const float coords[4] = {e.min_lat, e.max_lat, e.min_lon, e.max_lon};
  for (int i = 0; i < 4; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &coords[i], sizeof bits);
    put_big_endian(p + 8 + 4 * i, bits, 4);
  }
}

void enclose(Entry& a, const Entry& b) {
  a.min_lat = std::min(a.min_lat, b.min_lat);
  a.max_lat = std::max(a.max_lat, b.max_lat);
  a.min_lon = std::min(a.min_lon, b.min_lon);
  a.max_lon = std::max(a.max_lon, b.max_lon);
}

void sort_by_lat(std::vector<Entry>& v, std::size_t begin, std::size_t end) {
  std::sort(v.begin() + static_cast<std::ptrdiff_t>(begin), v.begin() + static_cast<std::ptrdiff_t>(end),
            [](const Entry& a, const Entry& b) { return lat2(a) < lat2(b); });
}

// The grouping of n entries into nodes of at most cap: how many nodes, in
// how many vertical slices, and how many entries node j and slice s take.
// Nodes get equal shares (within one entry), so none is left with a handful
// of cells beside full ones.
struct Tiling {
  std::size_t n, nodes, slices;
  Tiling(std::size_t n_, std::size_t cap)
      : n(n_),
        nodes((n_ + cap - 1) / cap),
        slices(static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))))) {}
  std::size_t node_size(std::size_t j) const { return n / nodes + (j < n % nodes ? 1 : 0); }
  std::size_t slice_nodes(std::size_t s) const { return nodes / slices + (s < nodes % slices ? 1 : 0); }
};

// Sort-tile-recursive grouping of a level held in memory: reorders `level`
// into vertical slices by longitude, each sorted by latitude, and returns
// where each node's run of entries ends.
std::vector<std::size_t> tile(std::vector<Entry>& level, std::size_t cap) {
  const Tiling t(level.size(), cap);
  std::sort(level.begin(), level.end(), [](const Entry& a, const Entry& b) { return lon2(a) < lon2(b); });
  std::vector<std::size_t> ends;
  ends.reserve(t.nodes);
  std::size_t at = 0;
  for (std::size_t s = 0; s < t.slices; ++s) {
    const std::size_t begin = at;
    for (std::size_t k = t.slice_nodes(s); k > 0; --k) {
      at += t.node_size(ends.size());
      ends.push_back(at);
    }
    sort_by_lat(level, begin, at);
  }
  return ends;
}

}  // namespace

RtreePacker::RtreePacker(std::size_t count, std::size_t node_bytes, RtreeSink& sink)
    : count_(count),
      node_bytes_(node_bytes),
      cap_(node_bytes < 4 ? 0 : (node_bytes - 4) / kRtreeCellBytes),
      sink_(sink) {
  if (cap_ < 2) throw std::invalid_argument("R*Tree node of " + std::to_string(node_bytes) + " bytes holds < 2 cells");
  const Tiling t(count, cap_);
  nodes_ = t.nodes;
  slices_ = t.slices;
  buffer_.resize(node_bytes_);
  above_.reserve(nodes_);
  start_slice();
}

// Sizes the next slice: the points of its nodes, which come next in
// longitude order.
void RtreePacker::start_slice() {
  const Tiling t(count_, cap_);
  slice_points_.clear();
  slice_target_ = 0;
  slice_nodes_ = slice_ < slices_ ? t.slice_nodes(slice_) : 0;
  for (std::size_t k = 0; k < slice_nodes_; ++k) slice_target_ += t.node_size(leaves_made_ + k);
  slice_points_.reserve(slice_target_);
}

void RtreePacker::add(const GeoPoint& p) {
  if (finished_ || added_ == count_) throw std::logic_error("R*Tree pack: more points than announced");
  ++added_;
  slice_points_.push_back({p.rowid, round_down(p.lat), round_up(p.lat), round_down(p.lon), round_up(p.lon)});
  // A tree of one node is its root: written by finish().
  if (count_ <= cap_ || slice_points_.size() < slice_target_) return;
  sort_by_lat(slice_points_, 0, slice_points_.size());
  const Tiling t(count_, cap_);
  std::size_t begin = 0;
  for (std::size_t k = 0; k < slice_nodes_; ++k) {
    const std::size_t end = begin + t.node_size(leaves_made_);
    above_.push_back(emit(slice_points_, begin, end, 0, false));
    ++leaves_made_;
    begin = end;
  }
  ++slice_;
  start_slice();
}

RtreeEntry RtreePacker::emit(const std::vector<RtreeEntry>& level, std::size_t begin, std::size_t end, int depth,
                             bool root) {
  const int64_t nodeno = root ? 1 : next_++;
  std::fill(buffer_.begin(), buffer_.end(), 0);
  if (root) put_big_endian(buffer_.data(), static_cast<uint64_t>(depth), 2);
  put_big_endian(buffer_.data() + 2, end - begin, 2);
  Entry box = begin < end ? level[begin] : Entry{};
  for (std::size_t i = begin; i < end; ++i) {
    put_cell(buffer_.data() + 4 + (i - begin) * kRtreeCellBytes, level[i]);
    enclose(box, level[i]);
    if (depth == 0) {
      sink_.leaf(level[i].id, nodeno);
    } else {
      const auto child = static_cast<std::size_t>(level[i].id - 2);
      if (parent_of_.size() <= child) parent_of_.resize(child + 1, 0);
      parent_of_[child] = nodeno;
    }
  }
  sink_.node(nodeno, buffer_);
  box.id = nodeno;
  return box;
}

void RtreePacker::finish() {
  if (finished_) return;
  if (added_ != count_)
    throw std::logic_error("R*Tree pack: " + std::to_string(added_) + " points of " + std::to_string(count_));
  finished_ = true;
  if (count_ <= cap_) {
    emit(slice_points_, 0, slice_points_.size(), 0, true);
    return;
  }
  slice_points_ = {};
  // The levels above the leaves hold one cell per node below: a fiftieth of
  // the points, then a fiftieth of that, tiled in memory.
  std::vector<Entry> level = std::move(above_);
  for (int depth = 1;; ++depth) {
    if (level.size() <= cap_) {
      emit(level, 0, level.size(), depth, true);
      break;
    }
    const std::vector<std::size_t> ends = tile(level, cap_);
    std::vector<Entry> parents;
    parents.reserve(ends.size());
    std::size_t begin = 0;
    for (const std::size_t end : ends) {
      parents.push_back(emit(level, begin, end, depth, false));
      begin = end;
    }
    level = std::move(parents);
  }
  // Every node but the root has been given its parent by now.
  for (std::size_t i = 0; i < parent_of_.size(); ++i) sink_.parent(static_cast<int64_t>(i + 2), parent_of_[i]);
}

namespace {

class Collect : public RtreeSink {
 public:
  explicit Collect(PackedRtree& out) : out_(out) {}
  void node(int64_t nodeno, const std::vector<unsigned char>& data) override {
    out_.nodes.push_back({nodeno, 0, data});
  }
  void leaf(int64_t rowid, int64_t nodeno) override { out_.leaf_of.emplace_back(rowid, nodeno); }
  void parent(int64_t nodeno, int64_t parent) override {
    // Nodes below the root come in nodeno order from 2, the root last.
    out_.nodes[static_cast<std::size_t>(nodeno - 2)].parent = parent;
  }

 private:
  PackedRtree& out_;
};

}  // namespace

PackedRtree pack_rtree(std::vector<GeoPoint> points, std::size_t node_bytes) {
  std::sort(points.begin(), points.end(), [](const GeoPoint& a, const GeoPoint& b) { return a.lon < b.lon; });
  PackedRtree out;
  Collect sink(out);
  RtreePacker packer(points.size(), node_bytes, sink);
  for (const GeoPoint& p : points) packer.add(p);
  packer.finish();
  // The root first.
  std::rotate(out.nodes.begin(), out.nodes.end() - 1, out.nodes.end());
  std::sort(out.leaf_of.begin(), out.leaf_of.end());
  return out;
}

}  // namespace mdtc::cache
