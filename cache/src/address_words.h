// The word-level pieces of address normalization that the gazetteer shares
// with the normalizer, so a place is spelled the same way on both sides.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mdtc::cache::detail {

using Words = std::vector<std::string>;

// Comma-separated segments of upper-case words (see address_normalizer.cpp).
std::vector<Words> tokenize_address(std::string_view text);

// A ZIP as the normalizer reads one: 5 or 9 digits, or ZIP+4 with its hyphen.
bool zip_word(std::string_view w);

// A standard directional spelled out: "NW" -> "NORTHWEST".
std::string spelled_out_directional(std::string_view standard);

// A pre-type that names a kind of numbered road: HWY, US HWY, COUNTY RD, FM...
bool is_route_pretype(std::string_view pretype);

// A place name reduced so the common spellings of one place agree:
// "E ST LOUIS", "EAST SAINT LOUIS" and "E. St. Louis" give one key.
std::string place_key(const Words& words, std::size_t from, std::size_t to);

// A city as premises store it ("ST LOUIS" -> "SAINT LOUIS").
std::string canonical_place(const Words& words, std::size_t from, std::size_t to);

}  // namespace mdtc::cache::detail
