// Table of CAD/registry spelling pairs (data/address_pairs.tsv). Every
// "different" pair must be rejected (precision); every "same" pair exact and
// every "building" pair building. Prints the rates so a regression shows.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

TEST(AddressPairs, TableHoldsForEveryPair) {
  std::ifstream in(MDTC_SOURCE_DIR "/tests/cache/data/address_pairs.tsv");
  ASSERT_TRUE(in) << "address_pairs.tsv missing";
  std::string line;
  int same = 0, same_ok = 0, building = 0, building_ok = 0, different = 0, different_ok = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream cols(line);
    std::string want, cad, registry;
    std::getline(cols, want, '\t');
    std::getline(cols, cad, '\t');
    std::getline(cols, registry, '\t');
    auto q = normalize_address(cad);
    auto p = normalize_address(registry);
    ASSERT_TRUE(p.ok()) << registry;
    const AddressFit fit = q.ok() ? compare_addresses(*q, *p).fit : AddressFit::different;
    if (want == "same") {
      ++same;
      same_ok += fit == AddressFit::exact;
      EXPECT_EQ(fit, AddressFit::exact) << cad << " vs " << registry;
    } else if (want == "building") {
      ++building;
      building_ok += fit == AddressFit::building;
      EXPECT_EQ(fit, AddressFit::building) << cad << " vs " << registry;
    } else {
      ++different;
      different_ok += fit == AddressFit::different;
      EXPECT_EQ(fit, AddressFit::different) << cad << " vs " << registry;
    }
  }
  EXPECT_GT(different, same);  // precision cases outnumber recall cases
  std::printf("address pairs: same %d/%d exact, building %d/%d, different %d/%d rejected\n", same_ok, same,
              building_ok, building, different_ok, different);
}

}  // namespace
}  // namespace mdtc::cache
