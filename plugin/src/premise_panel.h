// The premise-history panel: what an officer (or clinician) needs to know
// about the dispatch address, safety first. Pure: match result in, document out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mdtc/cache.h"
#include "mdtc/config.h"
#include "panel_document.h"

namespace mdtc::plugin {

struct IncidentSummary {
  std::string id;
  std::string call_type;
  int priority = 0;
  std::string address;  // as CAD sent it
  std::optional<int64_t> dispatched_ms = std::nullopt;  // CAD's sent_at of the dispatch (Unix ms)
  bool restored = false;                 // brought back from the journal after a restart
  // From this car to the call (CAD's point, else the matched premise), when
  // both are known; not kept in the journal (the car moves).
  std::optional<double> distance_m = std::nullopt;
};

struct PremisePanel {
  bool show = false;  // false: nothing to pop (unflagged address, cache trusted)
  PanelDocument doc;
  std::vector<std::string> spoken;  // hands-free lines for the notify callback
};

// `match` is the cache's unredacted answer; redaction for `role` happens here.
PremisePanel build_premise_panel(config::Role role, const IncidentSummary& incident,
                                 const cache::MatchResult& match);

// The sections both premise and co-responder offer panels share: match level,
// freshness, safety, care, SUD (clinicians only), people, prior calls.
std::vector<PanelSection> premise_sections(config::Role role, const cache::MatchResult& redacted);

// How the premise a flag belongs to stands to the dispatch. Exact only when
// the answer and the flag's own premise both are: a neighbour's flag is
// never "this address".
cache::MatchLevel flag_level(const cache::MatchResult& match, const cache::Flag& flag);

// Whose flags these are, below exact: "Apt 1A, same building",
// "1208 N Maple St, 7 m away".
std::string premise_label(const cache::Premise& premise, cache::MatchLevel level);

// "Flags updated just now", "FLAGS 3 h OLD ...", "FLAGS UNAVAILABLE - ..."
// — never reads as "no flags".
std::string freshness_text(const cache::MatchResult& match);
// Why the flags may be out of date though the cache is not old: the
// registry named a newer version than the cache holds and the sync failed
// to bring it (state "failed" or "rejected"). Empty when that is not so.
std::string registry_ahead_words(std::string_view sync_state, std::optional<int64_t> held,
                                 std::optional<int64_t> registry);

// What the officer reads when the cache cannot be opened, for the cache's
// error code: words ("key file missing"), never a file name (the log has it).
std::string unavailable_words(std::string_view cache_error_code);
std::string match_level_text(const cache::MatchResult& match);

}  // namespace mdtc::plugin
