// Reads the parts of a PIDF-LO document (RFC 4119 / RFC 5139 / RFC 5491)
// that locate a call: the civic address elements and a GML point.
#pragma once

#include <optional>
#include <string_view>

#include "mdtc/civic_address.h"
#include "mdtc/result.h"

namespace mdtc::bridge {

struct PidfLocation {
  CivicAddress civic;  // values upper-cased, as CAD civic fields are
  std::optional<double> lat, lon;
};

// Pure and tolerant: namespace prefixes and element-name case are ignored;
// only leaf text inside <civicAddress> and the first <pos> are read. There
// is deliberately no DTD or entity processing (beyond the five predefined
// entities and numeric references), so a hostile document cannot expand or
// fetch anything. Error: wire.bad_eido when nothing usable is found.
Result<PidfLocation> parse_pidf_location(std::string_view xml);

}  // namespace mdtc::bridge
