#include "mdtc/civic_address.h"

namespace mdtc {

std::string civic_line(const CivicAddress& c) {
  std::string line;
  for (const std::string* part : {&c.hno, &c.hns, &c.prd, &c.prm, &c.pretype, &c.rd, &c.sts, &c.pod, &c.pom}) {
    if (part->empty()) continue;
    if (!line.empty()) line += ' ';
    line += *part;
  }
  if (!c.unit.empty()) line += (line.empty() ? "#" : " #") + c.unit;
  std::string place = c.a3;
  if (!c.a1.empty()) place += (place.empty() ? "" : " ") + c.a1;
  if (!place.empty()) line += (line.empty() ? "" : ", ") + place;
  return line;
}

}  // namespace mdtc
