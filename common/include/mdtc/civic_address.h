// A civic address with NENA CLDXF element names (NENA-STA-004), the shape
// both CAD dispatches ("civic") and flag registry premises carry.
#pragma once

#include <array>
#include <string>
#include <string_view>

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

// The CLDXF element names as the wire protocol, the registry and the
// incident journal spell them (PIDF-LO writes the same names in upper case).
struct CivicElement {
  std::string_view name;
  std::string CivicAddress::*member;
};
inline constexpr std::array<CivicElement, 14> kCivicElements{{
    {"hno", &CivicAddress::hno},     {"hns", &CivicAddress::hns},         {"prd", &CivicAddress::prd},
    {"prm", &CivicAddress::prm},     {"pretype", &CivicAddress::pretype}, {"rd", &CivicAddress::rd},
    {"sts", &CivicAddress::sts},     {"pod", &CivicAddress::pod},         {"pom", &CivicAddress::pom},
    {"unit", &CivicAddress::unit},   {"a3", &CivicAddress::a3},           {"a1", &CivicAddress::a1},
    {"pc", &CivicAddress::pc},       {"country", &CivicAddress::country},
}};

// One line as CAD would print it: "1208 1/2 N MAPLE ST #3B, SPRINGFIELD IL".
// The elements as given, not normalized; empty when no element is set.
std::string civic_line(const CivicAddress& c);

}  // namespace mdtc
