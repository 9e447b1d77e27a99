// Lookup tables from USPS Publication 28: Appendix C1 (street suffixes),
// C2 (secondary unit designators), section 233 (directionals) and the state
// abbreviations. Each row lists the standard abbreviation first, then every
// spelled-out and common abbreviated form that maps to it.
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

// The forms and their standard spellings, and for each word length the
// first bytes any form of that length has: most words of an address are in
// no table (MAPLE, 1208), and the normalizer asks some thirty times per
// address, so a miss is answered without hashing.
struct Table {
  std::unordered_map<std::string_view, std::string_view> forms;
  std::array<uint32_t, 32> first_bytes{};  // by length: bit (byte % 32)

  void add(std::string_view form, std::string_view standard) {
    forms.emplace(form, standard);
    if (form.size() < first_bytes.size()) first_bytes[form.size()] |= bit(form[0]);
  }
  bool may_hold(std::string_view w) const {
    return !w.empty() && w.size() < first_bytes.size() && (first_bytes[w.size()] & bit(w[0]));
  }
  static uint32_t bit(char c) { return uint32_t{1} << (static_cast<unsigned char>(c) % 32); }
};

struct Row {
  std::string_view standard;
  std::initializer_list<std::string_view> forms;
};

Table build(std::initializer_list<Row> rows) {
  Table t;
  for (const Row& r : rows) {
    t.add(r.standard, r.standard);
    for (std::string_view f : r.forms) t.add(f, r.standard);
  }
  return t;
}

// Appendix C1: primary street suffix name, common abbreviations, standard.
const Table& suffixes() {
  static const Table t = build({
      {"ALY", {"ALLEY", "ALLEE", "ALLY"}},
      {"ANX", {"ANEX", "ANNEX", "ANNX"}},
      {"ARC", {"ARCADE"}},
      {"AVE", {"AV", "AVEN", "AVENU", "AVENUE", "AVN", "AVNUE"}},
      {"BYU", {"BAYOO", "BAYOU"}},
      {"BCH", {"BEACH"}},
      {"BND", {"BEND"}},
      {"BLF", {"BLUF", "BLUFF"}},
      {"BLFS", {"BLUFFS"}},
      {"BTM", {"BOT", "BOTTM", "BOTTOM"}},
      {"BLVD", {"BOUL", "BOULEVARD", "BOULV", "BVD", "BOULEVAR", "BKVD", "BL"}},  // BVD..: not Pub 28, seen in real addresses; BL: CAD's code
      {"BR", {"BRNCH", "BRANCH"}},
      {"BRG", {"BRDGE", "BRIDGE"}},
      {"BRK", {"BROOK"}},
      {"BRKS", {"BROOKS"}},
      {"BG", {"BURG"}},
      {"BGS", {"BURGS"}},
      {"BYP", {"BYPA", "BYPAS", "BYPASS", "BYPS"}},
      {"CP", {"CAMP", "CMP"}},
      {"CYN", {"CANYN", "CANYON", "CNYN"}},
      {"CPE", {"CAPE"}},
      {"CSWY", {"CAUSEWAY", "CAUSWA"}},
      {"CTR", {"CEN", "CENT", "CENTER", "CENTR", "CENTRE", "CNTER", "CNTR"}},
      {"CTRS", {"CENTERS"}},
      {"CIR", {"CIRC", "CIRCL", "CIRCLE", "CRCL", "CRCLE"}},
      {"CIRS", {"CIRCLES"}},
      {"CLF", {"CLIFF"}},
      {"CLFS", {"CLIFFS"}},
      {"CLB", {"CLUB"}},
      {"CMN", {"COMMON"}},
      {"CMNS", {"COMMONS"}},
      {"COR", {"CORNER"}},
      {"CORS", {"CORNERS"}},
      {"CRSE", {"COURSE"}},
      {"CT", {"COURT", "CRT"}},  // CRT: not Pub 28, seen in real addresses
      {"CTS", {"COURTS"}},
      {"CV", {"COVE"}},
      {"CVS", {"COVES"}},
      {"CRK", {"CREEK"}},
      {"CRES", {"CRESCENT", "CRSENT", "CRSNT"}},
      {"CRST", {"CREST"}},
      {"XING", {"CROSSING", "CRSSNG"}},
      {"XRD", {"CROSSROAD"}},
      {"XRDS", {"CROSSROADS"}},
      {"CURV", {"CURVE"}},
      {"DL", {"DALE"}},
      {"DM", {"DAM"}},
      {"DV", {"DIV", "DIVIDE", "DVD"}},
      {"DR", {"DRIV", "DRIVE", "DRV"}},
      {"DRS", {"DRIVES"}},
      {"EST", {"ESTATE"}},
      {"ESTS", {"ESTATES"}},
      {"EXPY", {"EXP", "EXPR", "EXPRESS", "EXPRESSWAY", "EXPW", "EXPWY"}},  // EXPWY: not Pub 28
      {"EXT", {"EXTENSION", "EXTN", "EXTNSN"}},
      {"EXTS", {"EXTENSIONS"}},
      {"FALL", {}},
      {"FLS", {"FALLS"}},
      {"FRY", {"FERRY", "FRRY"}},
      {"FLD", {"FIELD"}},
      {"FLDS", {"FIELDS"}},
      {"FLT", {"FLAT"}},
      {"FLTS", {"FLATS"}},
      {"FRD", {"FORD"}},
      {"FRDS", {"FORDS"}},
      {"FRST", {"FOREST", "FORESTS"}},
      {"FRG", {"FORG", "FORGE"}},
      {"FRGS", {"FORGES"}},
      {"FRK", {"FORK"}},
      {"FRKS", {"FORKS"}},
      {"FT", {"FORT", "FRT"}},
      {"FWY", {"FREEWAY", "FREEWY", "FRWAY", "FRWY"}},
      {"GDN", {"GARDEN", "GARDN", "GRDEN", "GRDN"}},
      {"GDNS", {"GARDENS", "GRDNS"}},
      {"GTWY", {"GATEWAY", "GATEWY", "GATWAY", "GTWAY"}},
      {"GLN", {"GLEN"}},
      {"GLNS", {"GLENS"}},
      {"GRN", {"GREEN"}},
      {"GRNS", {"GREENS"}},
      {"GRV", {"GROV", "GROVE"}},
      {"GRVS", {"GROVES"}},
      {"HBR", {"HARB", "HARBOR", "HARBR", "HRBOR"}},
      {"HBRS", {"HARBORS"}},
      {"HVN", {"HAVEN"}},
      {"HTS", {"HT", "HEIGHTS"}},
      {"HWY", {"HIGHWAY", "HIGHWY", "HIWAY", "HIWY", "HWAY", "HGWY"}},  // HGWY: not Pub 28
      {"HL", {"HILL"}},
      {"HLS", {"HILLS"}},
      {"HOLW", {"HLLW", "HOLLOW", "HOLLOWS", "HOLWS"}},
      {"INLT", {"INLET"}},
      {"IS", {"ISLAND", "ISLND"}},
      {"ISS", {"ISLANDS", "ISLNDS"}},
      {"ISLE", {"ISLES"}},
      {"JCT", {"JCTION", "JCTN", "JUNCTION", "JUNCTN", "JUNCTON"}},
      {"JCTS", {"JCTNS", "JUNCTIONS"}},
      {"KY", {"KEY"}},
      {"KYS", {"KEYS"}},
      {"KNL", {"KNOL", "KNOLL"}},
      {"KNLS", {"KNOLLS"}},
      {"LK", {"LAKE"}},
      {"LKS", {"LAKES"}},
      {"LAND", {}},
      {"LNDG", {"LANDING", "LNDNG"}},
      {"LN", {"LANE"}},
      {"LGT", {"LIGHT"}},
      {"LGTS", {"LIGHTS"}},
      {"LF", {"LOAF"}},
      {"LCK", {"LOCK"}},
      {"LCKS", {"LOCKS"}},
      {"LDG", {"LDGE", "LODG", "LODGE"}},
      {"LOOP", {"LOOPS"}},
      {"MALL", {}},
      {"MNR", {"MANOR"}},
      {"MNRS", {"MANORS"}},
      {"MDW", {"MEADOW"}},
      {"MDWS", {"MEADOWS", "MEDOWS"}},
      {"MEWS", {}},
      {"ML", {"MILL"}},
      {"MLS", {"MILLS"}},
      {"MSN", {"MISSN", "MSSN", "MISSION"}},
      {"MTWY", {"MOTORWAY"}},
      {"MT", {"MNT", "MOUNT"}},
      {"MTN", {"MNTAIN", "MNTN", "MOUNTAIN", "MOUNTIN", "MTIN"}},
      {"MTNS", {"MNTNS", "MOUNTAINS"}},
      {"NCK", {"NECK"}},
      {"ORCH", {"ORCHARD", "ORCHRD"}},
      {"OVAL", {"OVL"}},
      {"OVLK", {"OVERLOOK"}},  // not Pub 28: OVLK is the NENA abbreviation
      {"OPAS", {"OVERPASS"}},
      {"PARK", {"PRK", "PARKS"}},
      {"PKWY", {"PARKWAY", "PARKWY", "PKWAY", "PKY", "PARKWAYS", "PKWYS", "PY", "PAKWAY"}},  // PY, PAKWAY: not Pub 28
      {"PASS", {}},
      {"PSGE", {"PASSAGE"}},
      {"PATH", {"PATHS"}},
      {"PIKE", {"PIKES"}},
      {"PNE", {"PINE"}},
      {"PNES", {"PINES"}},
      {"PL", {"PLACE"}},
      {"PLN", {"PLAIN"}},
      {"PLNS", {"PLAINS"}},
      {"PLZ", {"PLAZA", "PLZA"}},
      {"PT", {"POINT"}},
      {"PTS", {"POINTS"}},
      {"PRT", {"PORT"}},
      {"PRTS", {"PORTS"}},
      {"PR", {"PRAIRIE", "PRR"}},
      {"RADL", {"RAD", "RADIAL", "RADIEL"}},
      {"RAMP", {}},
      {"RNCH", {"RANCH", "RANCHES", "RNCHS"}},
      {"RPD", {"RAPID"}},
      {"RPDS", {"RAPIDS"}},
      {"RST", {"REST"}},
      {"RDG", {"RDGE", "RIDGE"}},
      {"RDGS", {"RIDGES"}},
      {"RIV", {"RIVER", "RVR", "RIVR"}},
      {"RD", {"ROAD"}},
      {"RDS", {"ROADS"}},
      {"RTE", {"ROUTE", "RT"}},  // RT: not Pub 28, what CAD writes (RT 31)
      {"ROW", {}},
      {"RUE", {}},
      {"RUN", {}},
      {"SHL", {"SHOAL"}},
      {"SHLS", {"SHOALS"}},
      {"SHR", {"SHOAR", "SHORE"}},
      {"SHRS", {"SHOARS", "SHORES"}},
      {"SKWY", {"SKYWAY"}},
      {"SPG", {"SPNG", "SPRING", "SPRNG"}},
      {"SPGS", {"SPNGS", "SPRINGS", "SPRNGS"}},
      {"SPUR", {"SPURS"}},
      {"SQ", {"SQR", "SQRE", "SQU", "SQUARE"}},
      {"SQS", {"SQRS", "SQUARES"}},
      {"STA", {"STATION", "STATN", "STN"}},
      {"STRA", {"STRAV", "STRAVEN", "STRAVENUE", "STRAVN", "STRVN", "STRVNUE"}},
      {"STRM", {"STREAM", "STREME"}},
      {"ST", {"STREET", "STRT", "STR", "STEET"}},  // STEET: not Pub 28
      {"STS", {"STREETS"}},
      {"SMT", {"SUMIT", "SUMITT", "SUMMIT"}},
      {"TER", {"TERR", "TERRACE"}},
      {"TRWY", {"THROUGHWAY"}},
      {"TRCE", {"TRACE", "TRACES"}},
      {"TRAK", {"TRACK", "TRACKS", "TRK", "TRKS"}},
      {"TRFY", {"TRAFFICWAY"}},
      {"TRL", {"TRAIL", "TRAILS", "TRLS"}},
      {"TRLR", {"TRAILER", "TRLRS"}},
      {"TUNL", {"TUNEL", "TUNLS", "TUNNEL", "TUNNELS", "TUNNL"}},
      {"TPKE", {"TRNPK", "TURNPIKE", "TURNPK"}},
      {"UPAS", {"UNDERPASS"}},
      {"UN", {"UNION"}},
      {"UNS", {"UNIONS"}},
      {"VLY", {"VALLEY", "VALLY", "VLLY"}},
      {"VLYS", {"VALLEYS"}},
      {"VIA", {"VDCT", "VIADCT", "VIADUCT"}},
      {"VW", {"VIEW"}},
      {"VWS", {"VIEWS"}},
      {"VLG", {"VILL", "VILLAG", "VILLAGE", "VILLG", "VILLIAGE"}},
      {"VLGS", {"VILLAGES"}},
      {"VL", {"VILLE"}},
      {"VIS", {"VIST", "VISTA", "VST", "VSTA"}},
      {"WALK", {"WALKS"}},
      {"WALL", {}},
      {"WAY", {"WY"}},
      {"WAYS", {}},
      {"WL", {"WELL"}},
      {"WLS", {"WELLS"}},
      // Not in Pub 28, but street types of real streets (NENA's street name
      // type list has them): kept as written.
      {"BAY", {}},
      {"CONCOURSE", {"CONC"}},
      {"GRADE", {}},
      {"MARKET", {}},
      {"STRIP", {}},
      {"TURN", {}},
      {"WOODS", {}},
  });
  return t;
}

// Section 233 / Appendix B: directionals, spelled out and abbreviated.
const Table& directionals() {
  static const Table t = build({
      {"N", {"NORTH", "NO"}},  // NO, SO: not Pub 28, seen in real addresses ("13TH AVE NO")
      {"S", {"SOUTH", "SO"}},
      {"E", {"EAST"}},
      {"W", {"WEST"}},
      {"NE", {"NORTHEAST", "NORTH-EAST"}},
      {"NW", {"NORTHWEST", "NORTH-WEST"}},
      {"SE", {"SOUTHEAST", "SOUTH-EAST"}},
      {"SW", {"SOUTHWEST", "SOUTH-WEST"}},
  });
  return t;
}

// Appendix C2: secondary unit designators.
const Table& unit_designators() {
  static const Table t = build({
      {"APT", {"APARTMENT", "APPT"}},
      {"BSMT", {"BASEMENT"}},
      {"BLDG", {"BUILDING", "BLD"}},
      {"DEPT", {"DEPARTMENT"}},
      {"FL", {"FLOOR", "FLR"}},
      {"FRNT", {"FRONT"}},
      {"HNGR", {"HANGAR"}},
      {"KEY", {}},
      {"LBBY", {"LOBBY"}},
      {"LOT", {}},
      {"LOWR", {"LOWER"}},
      {"OFC", {"OFFICE"}},
      {"PH", {"PENTHOUSE"}},
      {"PIER", {}},
      {"REAR", {}},
      {"RM", {"ROOM"}},
      {"SIDE", {}},
      {"SLIP", {}},
      {"SPC", {"SPACE"}},
      {"STOP", {}},
      {"STE", {"SUITE"}},
      {"TRLR", {"TRAILER"}},
      {"UNIT", {}},
      {"UPPR", {"UPPER"}},
  });
  return t;
}

const Table& states() {
  static const Table t = build({
      {"AL", {"ALABAMA"}}, {"AK", {"ALASKA"}}, {"AZ", {"ARIZONA"}}, {"AR", {"ARKANSAS"}},
      {"CA", {"CALIFORNIA"}}, {"CO", {"COLORADO"}}, {"CT", {"CONNECTICUT"}},
      {"DE", {"DELAWARE"}}, {"DC", {"DISTRICT OF COLUMBIA"}}, {"FL", {"FLORIDA"}},
      {"GA", {"GEORGIA"}}, {"HI", {"HAWAII"}}, {"ID", {"IDAHO"}}, {"IL", {"ILLINOIS"}},
      {"IN", {"INDIANA"}}, {"IA", {"IOWA"}}, {"KS", {"KANSAS"}}, {"KY", {"KENTUCKY"}},
      {"LA", {"LOUISIANA"}}, {"ME", {"MAINE"}}, {"MD", {"MARYLAND"}},
      {"MA", {"MASSACHUSETTS"}}, {"MI", {"MICHIGAN"}}, {"MN", {"MINNESOTA"}},
      {"MS", {"MISSISSIPPI"}}, {"MO", {"MISSOURI"}}, {"MT", {"MONTANA"}},
      {"NE", {"NEBRASKA"}}, {"NV", {"NEVADA"}}, {"NH", {"NEW HAMPSHIRE"}},
      {"NJ", {"NEW JERSEY"}}, {"NM", {"NEW MEXICO"}}, {"NY", {"NEW YORK"}},
      {"NC", {"NORTH CAROLINA"}}, {"ND", {"NORTH DAKOTA"}}, {"OH", {"OHIO"}},
      {"OK", {"OKLAHOMA"}}, {"OR", {"OREGON"}}, {"PA", {"PENNSYLVANIA"}},
      {"RI", {"RHODE ISLAND"}}, {"SC", {"SOUTH CAROLINA"}}, {"SD", {"SOUTH DAKOTA"}},
      {"TN", {"TENNESSEE"}}, {"TX", {"TEXAS"}}, {"UT", {"UTAH"}}, {"VT", {"VERMONT"}},
      {"VA", {"VIRGINIA"}}, {"WA", {"WASHINGTON"}}, {"WV", {"WEST VIRGINIA"}},
      {"WI", {"WISCONSIN"}}, {"WY", {"WYOMING"}}, {"PR", {"PUERTO RICO"}},
      {"GU", {"GUAM"}}, {"VI", {"VIRGIN ISLANDS"}}, {"AS", {"AMERICAN SAMOA"}},
      {"MP", {"NORTHERN MARIANA ISLANDS"}},
      // The older abbreviations people still write ("CHICO CAL"); only
      // those that are not also common words of street names.
      {"AL", {"ALA"}}, {"AZ", {"ARIZ"}}, {"AR", {"ARK"}}, {"CA", {"CAL", "CALIF"}},
      {"CO", {"COLO"}}, {"CT", {"CONN"}}, {"FL", {"FLA"}}, {"IL", {"ILL"}},
      {"KS", {"KAN", "KANS"}}, {"MA", {"MASS"}}, {"MI", {"MICH"}}, {"MN", {"MINN"}},
      {"MS", {"MISS"}}, {"MT", {"MONT"}}, {"NE", {"NEBR"}}, {"NV", {"NEV"}},
      {"OK", {"OKLA"}}, {"OR", {"OREG"}}, {"PA", {"PENN", "PENNA"}}, {"TN", {"TENN"}},
      {"TX", {"TEX"}}, {"WA", {"WASH"}}, {"WI", {"WISC"}}, {"WY", {"WYO"}},
  });
  return t;
}

std::optional<std::string> lookup(const Table& t, std::string_view word) {
  if (!t.may_hold(word)) return std::nullopt;
  auto it = t.forms.find(word);
  if (it == t.forms.end()) return std::nullopt;
  return std::string(it->second);
}

}  // namespace

std::optional<std::string> standard_suffix(std::string_view w) { return lookup(suffixes(), w); }
std::optional<std::string> standard_directional(std::string_view w) { return lookup(directionals(), w); }
std::optional<std::string> standard_unit_designator(std::string_view w) {
  return lookup(unit_designators(), w);
}
std::optional<std::string> standard_state(std::string_view w) { return lookup(states(), w); }

}  // namespace mdtc::cache
