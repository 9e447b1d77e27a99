// The normalizer against 1,513 real US address strings labelled by hand
// (usaddress training data; README in the corpus folder). Each street address
// is parsed as free text and compared, element by element, with the labels
// read as CLDXF civic elements. Strings that are not street addresses a CAD
// would dispatch to (PO boxes, recipients, building or landmark names,
// corners, foreign addresses, a range of house numbers) are left out and
// counted. Strings whose labels are wrong are listed with the reason in
// data/address_corpus_label_errors.tsv and counted apart.
//
// The gazetteer is built from the corpus's own labelled place names: that is
// what the cache does with the cities its premises carry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "corpus_dir.h"
#include "mdtc/address.h"

namespace mdtc::cache {
namespace {

struct Labelled {
  std::string text;                                       // as written
  std::vector<std::pair<std::string, std::string>> tokens;  // (label, token)
};

// UTF-8 for a character reference below U+0800 (all the corpus holds: "½").
std::string utf8(unsigned code) {
  if (code < 0x80) return std::string(1, static_cast<char>(code));
  return {static_cast<char>(0xC0 | (code >> 6)), static_cast<char>(0x80 | (code & 0x3F))};
}

std::string xml_text(std::string s) {
  static const std::pair<std::string, std::string> kEntities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}};
  for (const auto& [from, to] : kEntities)
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
      s.replace(at, from.size(), to);
  // "&#189;" is ½.
  for (std::size_t at = s.find("&#"); at != std::string::npos; at = s.find("&#", at + 1)) {
    const std::size_t end = s.find(';', at);
    if (end == std::string::npos) break;
    const std::string digits = s.substr(at + 2, end - at - 2);
    if (digits.empty() || digits.size() > 4 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const unsigned code = static_cast<unsigned>(std::stoul(digits));
    if (code >= 0x800) continue;
    s.replace(at, end - at + 1, utf8(code));
  }
  for (std::size_t at = s.find("&amp;"); at != std::string::npos; at = s.find("&amp;", at + 1)) s.replace(at, 5, "&");
  return s;
}

std::vector<Labelled> read_corpus(const std::string& path) {
  std::ifstream in(path);
  const std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Labelled> out;
  const std::string open = "<AddressString>", close = "</AddressString>";
  for (std::size_t at = doc.find(open); at != std::string::npos; at = doc.find(open, at)) {
    const std::size_t end = doc.find(close, at);
    const std::string body = doc.substr(at + open.size(), end - at - open.size());
    at = end + close.size();
    Labelled l;
    std::size_t k = 0;
    while (k < body.size()) {
      if (body[k] != '<') {
        const std::size_t next = body.find('<', k);
        l.text += body.substr(k, next - k);
        k = next == std::string::npos ? body.size() : next;
        continue;
      }
      const std::size_t gt = body.find('>', k);
      const std::string label = body.substr(k + 1, gt - k - 1);
      const std::size_t stop = body.find("</" + label + ">", gt);
      const std::string token = xml_text(body.substr(gt + 1, stop - gt - 1));
      l.tokens.emplace_back(label, token);
      l.text += token;
      k = stop + label.size() + 3;
    }
    l.text = xml_text(l.text);
    out.push_back(std::move(l));
  }
  return out;
}

// "313-317", "0", "1888692": a range of doors, or a number no door has. The
// normalizer answers these "not understood" by design (a range read as one
// door matched none of its premises and said nothing).
bool names_no_single_door(const std::string& number) {
  const auto digits = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  const auto dash = number.find('-');
  if (dash != std::string::npos) {
    const std::string from = number.substr(0, dash), to = number.substr(dash + 1);
    return digits(from) && digits(to) && from.size() >= 3 && to.size() >= 3 &&
           (to.size() != from.size() ? to.size() > from.size() : to > from);
  }
  return digits(number) && (number.find_first_not_of('0') == std::string::npos || number.size() > 6);
}

// Why a string is not a street address a CAD dispatches to, or "".
std::string left_out_because(const Labelled& l) {
  std::set<std::string> labels;
  for (const auto& t : l.tokens) labels.insert(t.first);
  for (const auto& [label, token] : l.tokens)
    if (label == "AddressNumber" && names_no_single_door(token)) return "house number range, 0 or over 6 digits";
  for (const char* box : {"USPSBoxType", "USPSBoxID", "USPSBoxGroupType", "USPSBoxGroupID"})
    if (labels.count(box)) return "PO box";
  if (labels.count("Recipient")) return "recipient";
  if (labels.count("CountryName")) return "country";
  if (labels.count("NotAddress")) return "not an address";
  if (labels.count("IntersectionSeparator") || labels.count("CornerOf")) return "corner";
  if (labels.count("BuildingName") || labels.count("LandmarkName")) return "building or landmark name";
  if (!labels.count("AddressNumber") || !labels.count("StreetName")) return "no house number or street";
  return "";
}

CivicAddress civic_of(const Labelled& l) {
  CivicAddress c;
  auto add = [](std::string& field, const std::string& token) { field += (field.empty() ? "" : " ") + token; };
  for (const auto& [label, token] : l.tokens) {
    if (label == "AddressNumber" || label == "AddressNumberPrefix") add(c.hno, token);
    else if (label == "AddressNumberSuffix") add(c.hns, token);
    else if (label == "StreetNamePreDirectional") add(c.prd, token);
    else if (label == "StreetNamePreModifier") add(c.prm, token);
    else if (label == "StreetNamePreType") add(c.pretype, token);
    else if (label == "StreetName") add(c.rd, token);
    else if (label == "StreetNamePostType") add(c.sts, token);
    else if (label == "StreetNamePostDirectional") add(c.pod, token);
    else if (label == "StreetNamePostModifier") add(c.pom, token);
    else if (label == "OccupancyType" || label == "OccupancyIdentifier" || label == "SubaddressType" ||
             label == "SubaddressIdentifier")
      add(c.unit, token);
    else if (label == "PlaceName") add(c.a3, token);
    else if (label == "StateName") add(c.a1, token);
    else if (label == "ZipCode") add(c.pc, token);
  }
  return c;
}

std::map<std::string, std::string> label_errors() {
  std::map<std::string, std::string> out;
  std::ifstream in(MDTC_SOURCE_DIR "/tests/cache/data/address_corpus_label_errors.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab = line.find('\t');
    out[line.substr(0, tab)] = tab == std::string::npos ? "" : line.substr(tab + 1);
  }
  return out;
}

constexpr double kFloorPercent = 97.0;

TEST(AddressCorpus, StreetAddressesParseAsLabelled) {
  const std::string path = mdtc::test::corpus_dir("usaddress-labeled") + "/labeled.xml";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus not found at " << path;
  const std::vector<Labelled> corpus = read_corpus(path);
  ASSERT_EQ(corpus.size(), 1513u);

  Gazetteer places;
  for (const Labelled& l : corpus) {
    const CivicAddress c = civic_of(l);
    if (!c.a3.empty()) places.add_place(c.a3);
  }
  const auto wrong_labels = label_errors();

  using Field = std::string NormalizedAddress::*;
  const std::pair<const char*, std::vector<Field>> kComponents[] = {
      {"house number", {&NormalizedAddress::house_number, &NormalizedAddress::house_suffix}},
      {"pre-directional", {&NormalizedAddress::predir}},
      {"pre-type", {&NormalizedAddress::pretype}},
      {"street name", {&NormalizedAddress::name}},
      {"street type", {&NormalizedAddress::type}},
      {"post-directional", {&NormalizedAddress::postdir}},
      {"unit", {&NormalizedAddress::unit}},
      {"city", {&NormalizedAddress::city}},
      {"state", {&NormalizedAddress::state}},
      {"ZIP", {&NormalizedAddress::zip}},
  };
  std::map<std::string, int> agree, left_out;
  int street = 0, right = 0, mislabelled = 0;
  std::ostringstream misses;
  for (const Labelled& l : corpus) {
    if (const std::string why = left_out_because(l); !why.empty()) {
      ++left_out[why];
      continue;
    }
    if (wrong_labels.count(l.text)) {
      ++mislabelled;
      continue;
    }
    auto want = normalize_civic(civic_of(l));
    if (!want.ok()) {  // "Fifty N. Front St.": a house number in words
      ++left_out["labelled house number is not a number"];
      continue;
    }
    ++street;
    // The cache answers a place in the spelling its premises carry; the
    // corpus spells some places two ways (W PALM BEACH, WEST PALM BEACH).
    if (!want->city.empty()) want->city = places.find_place(want->city).value_or(want->city);
    const auto got = normalize_address(l.text, places);
    std::string wrong;
    for (const auto& [what, fields] : kComponents) {
      bool same = got.ok();
      for (Field f : fields) same = same && (*got).*f == (*want).*f;
      if (same) {
        ++agree[what];
        continue;
      }
      wrong += std::string(wrong.empty() ? "" : ", ") + what;
      if (got.ok())  // the values, since two readings can display alike
        for (Field f : fields)
          if ((*got).*f != (*want).*f) wrong += " '" + (*want).*f + "'/'" + (*got).*f + "'";
    }
    if (wrong.empty()) ++right;
    else
      misses << "  " << l.text << "\n    want " << want->display() << "\n    got  "
             << (got.ok() ? got->display() : got.error().code) << "  (" << wrong << ")\n";
  }
  std::printf("address corpus: %d strings, %d street addresses, %d with wrong labels (listed beside the test)\n",
              static_cast<int>(corpus.size()), street, mislabelled);
  for (const auto& [why, n] : left_out) std::printf("  left out, %s: %d\n", why.c_str(), n);
  for (const auto& [what, fields] : kComponents)
    std::printf("  %-16s %5.1f %%\n", what, 100.0 * agree[what] / street);
  std::printf("  fully right      %5.1f %% (%d of %d)\n", 100.0 * right / street, right, street);
  if (std::getenv("MDTC_CORPUS_MISSES")) std::printf("misses:\n%s", misses.str().c_str());
  // The goal is 97 %; this floor is where the normalizer stands now and only
  // ever moves up. Set MDTC_CORPUS_MISSES=1 to print the to-do list.
  EXPECT_GE(100.0 * right / street, kFloorPercent) << "misses:\n" << misses.str();
}

}  // namespace
}  // namespace mdtc::cache
