// libFuzzer target: free-text address normalization, and the matcher on what
// it produces. An address must always compare exactly equal to itself and
// its own display form must normalize back to an equal street.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>

#include "mdtc/address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mdtc::cache;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The same bytes as CLDXF civic elements separated by '|'.
  mdtc::CivicAddress c;
  std::string* fields[] = {&c.hno, &c.hns, &c.prd, &c.pretype, &c.rd, &c.sts, &c.pod, &c.unit, &c.a3, &c.a1, &c.pc};
  std::size_t f = 0;
  for (char ch : text) {
    if (ch == '|') {
      if (++f == std::size(fields)) break;
    } else {
      *fields[f] += ch;
    }
  }
  if (auto civic = normalize_civic(c); civic.ok()) {
    if (compare_addresses(*civic, *civic).fit != AddressFit::exact) __builtin_trap();
  }

  auto a = normalize_address(text);
  if (!a.ok()) return 0;
  if (compare_addresses(*a, *a).fit != AddressFit::exact) __builtin_trap();
  const auto d = decide_match(*a, {{"P", *a}});
  if (d.level != AddressMatchLevel::exact) __builtin_trap();
  (void)normalize_address(a->display());
  return 0;
}
