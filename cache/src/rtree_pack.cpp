#include "rtree_pack.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace mdtc::cache {
namespace {

struct Box {
  float min_lat, max_lat, min_lon, max_lon;
};

// One cell of the level being packed: a premise's rowid at the leaves, a
// child node's number above them.
struct Entry {
  int64_t id;
  Box box;
  // Twice the centre: only ever compared, so the halving is left out.
  double lat2() const { return static_cast<double>(box.min_lat) + box.max_lat; }
  double lon2() const { return static_cast<double>(box.min_lon) + box.max_lon; }
};

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
  const float coords[4] = {e.box.min_lat, e.box.max_lat, e.box.min_lon, e.box.max_lon};
  for (int i = 0; i < 4; ++i) {
    uint32_t bits;
    std::memcpy(&bits, &coords[i], sizeof bits);
    put_big_endian(p + 8 + 4 * i, bits, 4);
  }
}

Box enclose(const Box& a, const Box& b) {
  return {std::min(a.min_lat, b.min_lat), std::max(a.max_lat, b.max_lat), std::min(a.min_lon, b.min_lon),
          std::max(a.max_lon, b.max_lon)};
}

// Sort-tile-recursive grouping: reorders `level` into vertical slices by
// longitude, each sorted by latitude, and returns where each node's run of
// entries ends. Nodes get equal shares (within one entry), so none is left
// with a handful of cells beside full ones.
std::vector<std::size_t> tile(std::vector<Entry>& level, std::size_t cap) {
  const std::size_t n = level.size();
  const std::size_t nodes = (n + cap - 1) / cap;
  const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
  std::sort(level.begin(), level.end(), [](const Entry& a, const Entry& b) { return a.lon2() < b.lon2(); });
  std::vector<std::size_t> ends;
  ends.reserve(nodes);
  std::size_t at = 0;
  for (std::size_t s = 0; s < slices; ++s) {
    const std::size_t begin = at;
    const std::size_t slice_nodes = nodes / slices + (s < nodes % slices ? 1 : 0);
    for (std::size_t k = 0; k < slice_nodes; ++k) {
      at += n / nodes + (ends.size() < n % nodes ? 1 : 0);
      ends.push_back(at);
    }
    std::sort(level.begin() + static_cast<std::ptrdiff_t>(begin), level.begin() + static_cast<std::ptrdiff_t>(at),
              [](const Entry& a, const Entry& b) { return a.lat2() < b.lat2(); });
  }
  return ends;
}

}  // namespace

PackedRtree pack_rtree(std::vector<GeoPoint> points, std::size_t node_bytes) {
  const std::size_t cap = node_bytes < 4 ? 0 : (node_bytes - 4) / kRtreeCellBytes;
  if (cap < 2) throw std::invalid_argument("R*Tree node of " + std::to_string(node_bytes) + " bytes holds < 2 cells");

  PackedRtree out;
  std::vector<Entry> level;
  level.reserve(points.size());
  for (const GeoPoint& p : points)
    level.push_back({p.rowid, {round_down(p.lat), round_up(p.lat), round_down(p.lon), round_up(p.lon)}});
  points = {};

  // Built bottom-up; the root is made last and is node 1, the others are
  // numbered from 2 in the order they are made (nodes[nodeno - 2]).
  std::vector<PackedNode> below_root;
  PackedNode root;
  int depth = 0;
  int64_t next = 2;
  // Reserved to size: a vector grown by doubling holds up to twice what it
  // needs, and at a million premises that slack is tens of megabytes.
  out.leaf_of.reserve(level.size());
  below_root.reserve(level.size() / cap + level.size() / (cap * cap) + 8);
  for (;; ++depth) {
    const bool is_root = level.size() <= cap;
    const std::vector<std::size_t> ends = is_root ? std::vector<std::size_t>{level.size()} : tile(level, cap);
    std::vector<Entry> parents;
    parents.reserve(ends.size());
    std::size_t begin = 0;
    for (const std::size_t end : ends) {
      PackedNode node;
      node.nodeno = is_root ? 1 : next++;
      node.data.assign(node_bytes, 0);
      put_big_endian(node.data.data() + 2, end - begin, 2);
      Box box = begin < end ? level[begin].box : Box{};
      for (std::size_t i = begin; i < end; ++i) {
        put_cell(node.data.data() + 4 + (i - begin) * kRtreeCellBytes, level[i]);
        box = enclose(box, level[i].box);
        if (depth == 0) out.leaf_of.emplace_back(level[i].id, node.nodeno);
        else below_root[static_cast<std::size_t>(level[i].id - 2)].parent = node.nodeno;
      }
      parents.push_back({node.nodeno, box});
      if (is_root) root = std::move(node);
      else below_root.push_back(std::move(node));
      begin = end;
    }
    if (is_root) break;
    level = std::move(parents);
  }
  put_big_endian(root.data.data(), static_cast<uint64_t>(depth), 2);

  out.nodes.reserve(below_root.size() + 1);
  out.nodes.push_back(std::move(root));
  for (PackedNode& n : below_root) out.nodes.push_back(std::move(n));
  std::sort(out.leaf_of.begin(), out.leaf_of.end());
  return out;
}

}  // namespace mdtc::cache
