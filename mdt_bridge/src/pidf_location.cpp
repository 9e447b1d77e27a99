#include "pidf_location.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

namespace mdtc::bridge {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// XML character data -> text: predefined entities and numeric references.
std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto end = s.find(';', i);
    if (end == std::string_view::npos || end - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, end - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string digits(ent.substr(hex ? 2 : 1));
      char* stop = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &stop, hex ? 16 : 10);
      if (!digits.empty() && stop && *stop == '\0') append_utf8(out, cp);
    } else {
      out.append(s.substr(i, end - i + 1));
    }
    i = end;
  }
  return out;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct CivicElement {
  std::string_view name;  // RFC 5139 element
  std::string CivicAddress::*member;
};

// LOC (additional location information) fills `unit` only when no UNIT
// element is present; see assign().
constexpr std::array<CivicElement, 14> kCivic{{
    {"country", &CivicAddress::country}, {"A1", &CivicAddress::a1},
    {"A3", &CivicAddress::a3},           {"PRD", &CivicAddress::prd},
    {"POD", &CivicAddress::pod},         {"STS", &CivicAddress::sts},
    {"HNO", &CivicAddress::hno},         {"HNS", &CivicAddress::hns},
    {"RD", &CivicAddress::rd},           {"PC", &CivicAddress::pc},
    {"UNIT", &CivicAddress::unit},       {"PRM", &CivicAddress::prm},
    {"POM", &CivicAddress::pom},         {"LOC", &CivicAddress::unit},
}};

bool parse_double(std::string_view text, double& out) {
  text = trim(text);
  if (text.empty()) return false;
  auto res = std::from_chars(text.data(), text.data() + text.size(), out);
  return res.ec == std::errc() && res.ptr == text.data() + text.size() && std::isfinite(out);
}

// "<lat> <lon>" as GML writes positions in EPSG:4326 (RFC 5491 §5).
bool parse_pos(std::string_view text, double& lat, double& lon) {
  text = trim(text);
  auto sp = text.find_first_of(" \t\r\n");
  if (sp == std::string_view::npos) return false;
  auto rest = trim(text.substr(sp));
  auto sp2 = rest.find_first_of(" \t\r\n");  // an altitude may follow
  if (sp2 != std::string_view::npos) rest = rest.substr(0, sp2);
  if (!parse_double(text.substr(0, sp), lat) || !parse_double(rest, lon)) return false;
  return std::fabs(lat) <= 90.0 && std::fabs(lon) <= 180.0;
}

}  // namespace

Result<PidfLocation> parse_pidf_location(std::string_view xml) {
  PidfLocation out;
  bool unit_from_unit = false;
  int civic_depth = 0;  // >0 while inside <civicAddress>
  std::size_t i = 0;
  while (i < xml.size()) {
    auto lt = xml.find('<', i);
    if (lt == std::string_view::npos) break;
    auto gt = xml.find('>', lt + 1);
    if (gt == std::string_view::npos) break;
    std::string_view tag = xml.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (tag.empty() || tag[0] == '?' || tag[0] == '!') continue;
    bool closing = tag[0] == '/';
    if (closing) tag.remove_prefix(1);
    bool self_closing = !tag.empty() && tag.back() == '/';
    auto name_end = tag.find_first_of(" \t\r\n/");
    std::string_view name = tag.substr(0, name_end);
    if (auto colon = name.rfind(':'); colon != std::string_view::npos) {
      name = name.substr(colon + 1);
    }
    if (iequals(name, "civicAddress")) {
      if (closing) civic_depth = civic_depth > 0 ? civic_depth - 1 : 0;
      else if (!self_closing) ++civic_depth;
      continue;
    }
    if (closing || self_closing) continue;
    auto next_lt = xml.find('<', i);
    std::string_view raw = xml.substr(i, next_lt == std::string_view::npos ? xml.size() - i
                                                                          : next_lt - i);
    if (iequals(name, "pos")) {
      double lat = 0, lon = 0;
      if (!out.lat && parse_pos(unescape(raw), lat, lon)) {
        out.lat = lat;
        out.lon = lon;
      }
      continue;
    }
    if (civic_depth == 0) continue;
    for (const auto& e : kCivic) {
      if (!iequals(name, e.name)) continue;
      std::string value = upper(std::string(trim(unescape(raw))));
      if (value.empty()) break;
      bool is_loc = e.name == "LOC";
      if (is_loc && unit_from_unit) break;
      if (!is_loc && e.member == &CivicAddress::unit) unit_from_unit = true;
      if ((out.civic.*e.member).empty() || !is_loc) out.civic.*e.member = value;
      break;
    }
  }
  if (out.civic.empty() && !out.lat) {
    return make_error("wire.bad_eido",
                      "PIDF-LO location has neither a civic address (HNO/RD) nor a gml:pos");
  }
  return out;
}

}  // namespace mdtc::bridge
