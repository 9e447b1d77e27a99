// Who may see what. An officer's panel never carries clinician-audience
// content or substance-use treatment records (42 CFR Part 2); a clinician
// sees everything, with the Part 2 notice on SUD records.
#pragma once

#include "mdtc/cache.h"
#include "mdtc/config.h"

namespace mdtc::plugin {

bool visible_to(config::Role role, const cache::Flag& flag);

// The match with every flag the role may not see removed, and subjects and
// history kept only where a visible flag refers to them.
cache::MatchResult redact_for(config::Role role, cache::MatchResult match);

// 42 CFR 2.32(a)(2): the short form of the required notice.
inline constexpr const char* kPart2Notice =
    "42 CFR part 2 prohibits unauthorized use or disclosure of these records.";

}  // namespace mdtc::plugin
