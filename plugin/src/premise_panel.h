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

// "flags 3 h old", "FLAGS UNAVAILABLE: ..." — never reads as "no flags".
std::string freshness_text(const cache::MatchResult& match);
std::string match_level_text(const cache::MatchResult& match);

}  // namespace mdtc::plugin
