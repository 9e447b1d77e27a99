// Where a call is, as CAD gives it: free text, CLDXF civic elements and a
// point, each optional. One type from the wire to the cache's lookup.
#pragma once

#include <optional>
#include <string>

#include "mdtc/civic_address.h"

namespace mdtc {

struct Location {
  std::string address;  // free text as CAD sent it, any spelling
  CivicAddress civic;   // empty() when CAD sent none; used before the text when present
  std::optional<double> lat, lon;
};

}  // namespace mdtc
