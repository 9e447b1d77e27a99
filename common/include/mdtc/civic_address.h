// A civic address with NENA CLDXF element names (NENA-STA-004), the shape
// both CAD dispatches ("civic") and flag registry premises carry.
#pragma once

#include <string>

namespace mdtc {

struct CivicAddress {
  std::string hno;   // house number, e.g. "1208"
  std::string hns;   // house number suffix, e.g. "1/2" or "A"
  std::string prd;   // street name pre-directional, e.g. "N"
  std::string prm;   // street name pre-modifier, e.g. "OLD"
  std::string pretype;  // street name pre-type, e.g. "AVENUE" in "AVENUE B"
  std::string rd;    // street name, e.g. "MAPLE"
  std::string sts;   // street name post-type (suffix), e.g. "ST"
  std::string pod;   // street name post-directional, e.g. "SW"
  std::string pom;   // street name post-modifier
  std::string unit;  // unit, e.g. "3B"
  std::string a3;    // city / municipality
  std::string a1;    // state
  std::string pc;    // postal code
  std::string country;

  bool empty() const { return hno.empty() && rd.empty(); }
};

}  // namespace mdtc
