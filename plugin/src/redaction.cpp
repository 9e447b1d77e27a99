#include "redaction.h"

#include <algorithm>
#include <set>

namespace mdtc::plugin {

bool visible_to(config::Role role, const cache::Flag& flag) {
  if (role == config::Role::coresponder) return true;
  return flag.audience == cache::Audience::all && flag.kind != cache::FlagKind::sud;
}

cache::MatchResult redact_for(config::Role role, cache::MatchResult match) {
  std::set<std::string> flagged;
  for (const auto& f : match.flags) flagged.insert(f.premise_id);
  std::erase_if(match.flags, [role](const cache::Flag& f) { return !visible_to(role, f); });
  std::set<std::string> subjects;
  for (const auto& f : match.flags) {
    if (!f.subject_id.empty()) subjects.insert(f.subject_id);
    flagged.erase(f.premise_id);
  }
  std::erase_if(match.subjects,
                [&](const cache::Subject& s) { return subjects.count(s.id) == 0; });
  // Premise history is about the address, not a person, and carries no
  // clinical detail; it stays for both roles. But a premise whose every
  // flag is hidden goes with its history: shown beside a neighbour's, it
  // told the officer that this apartment is on file only for records they
  // may not see (and an exact dispatch to it pops nothing).
  std::erase_if(match.premises, [&](const cache::Premise& p) { return flagged.count(p.id) > 0; });
  std::erase_if(match.history, [&](const cache::HistoryEntry& h) { return flagged.count(h.premise_id) > 0; });
  return match;
}

}  // namespace mdtc::plugin
