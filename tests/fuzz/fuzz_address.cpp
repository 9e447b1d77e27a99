// libFuzzer target: free-text address normalization (with and without a
// gazetteer of known places), and the matcher on what it produces. An address
// must always compare exactly equal to itself, a corner never, and its own
// display form must normalize again without harm. Remarks cut off after the
// town leave the text's beginning and end.
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

  static const Gazetteer places = [] {
    Gazetteer g;
    for (const char* p : {"SPRINGFIELD", "SALT LAKE CITY", "EAST SAINT LOUIS", "PARK CITY", "LAKE FOREST", "FOREST",
                          "CEDAR GROVE", "LONG BEACH", "NEW YORK"})
      g.add_place(p);
    g.add_alias("SPFLD", "SPRINGFIELD");
    return g;
  }();
  for (const Gazetteer* g : {static_cast<const Gazetteer*>(nullptr), &places}) {
    auto a = g ? normalize_address(text, *g) : normalize_address(text);
    if (!a.ok()) continue;
    const AddressFit self = compare_addresses(*a, *a).fit;
    if (a->intersection ? self == AddressFit::exact : self != AddressFit::exact) __builtin_trap();
    const auto d = decide_match(*a, {{"P", *a}});
    if ((d.level == AddressMatchLevel::exact) == a->intersection) __builtin_trap();
    (void)(g ? normalize_address(a->display(), *g) : normalize_address(a->display()));
  }
  // Remarks after the town: the address part is the text's own beginning,
  // the note its end, and neither is empty.
  if (const auto cut = split_trailing_note(text, places)) {
    if (cut->address.empty() || cut->note.empty() || !text.starts_with(cut->address) || !text.ends_with(cut->note) ||
        cut->address.size() + cut->note.size() > text.size())
      __builtin_trap();
  }
  return 0;
}
