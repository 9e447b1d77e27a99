// What the journal keeps of an open incident (what CAD said about it, no
// narrative, and where the co-responder request stands), of a clinician's
// open offer and of a live state, and their journal keys. Their JSON form
// on disk is journal_json.h's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "coresponder_panels.h"
#include "mdtc/bridge.h"
#include "premise_panel.h"

namespace mdtc::plugin {

struct IncidentRecord {
  IncidentSummary summary;
  bridge::Location location;
  std::string request_id;
  std::optional<RequestView> request;  // phase, who accepted, ETA; reasons are recomputed
};

// A clinician's offer, journaled under "offer:<request id>" so that an MDT
// restart while en route or on scene brings back the panel with its actions
// and the outcome still to file. Only what CAD sent: reason codes, no notes.
struct OfferRecord {
  OfferView view;
  bridge::Location location;
};

// A live availability state, journaled so that it survives a restart: a
// clinician unit's own under "availability" (sent again after the restart),
// and on an officer's car each clinician unit's last word under
// "unit_state:<unit>" (its age kept, so a restart never makes it fresh).
struct UnitStateRecord {
  std::string unit;
  bool own = false;
  std::string state;                  // available, busy, telehealth, off_duty
  std::string name;
  std::optional<int64_t> free_at_ms;  // wall clock
  int64_t heard_wall_ms = 0;          // when it was set or heard, wall clock
  bool automatic = false;             // own: set by accepting or clearing an offer
};
inline constexpr const char* kAvailabilityJournalKey = "availability";
std::string unit_state_journal_key(const std::string& unit);

// A dispatch time as the wire writes times (RFC 3339 UTC), for the
// `dispatched_at` a co-responder request and an offer record carry.
std::string dispatch_time_rfc3339(int64_t unix_ms);

// The journal key of an offer; incident records use the bare incident id.
std::string offer_journal_key(const std::string& request_id);
// A `coresponder_request` from CAD as a new offer; empty without a request id.
std::optional<OfferRecord> offer_from_request(const bridge::CoresponderRequest& request);

}  // namespace mdtc::plugin
