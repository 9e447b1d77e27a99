#include "incident_record.h"

#include "mdtc/time_text.h"

namespace mdtc::plugin {

std::string offer_journal_key(const std::string& request_id) { return "offer:" + request_id; }

std::string unit_state_journal_key(const std::string& unit) { return "unit_state:" + unit; }

std::string dispatch_time_rfc3339(int64_t unix_ms) { return rfc3339_utc_ms(unix_ms); }

std::optional<OfferRecord> offer_from_request(const bridge::CoresponderRequest& q) {
  if (q.request_id.empty()) return std::nullopt;
  OfferRecord r;
  r.view.request_id = q.request_id;
  r.view.incident_id = q.incident_id;
  r.view.from_unit = q.from_unit;
  r.view.call_type = q.call_type;
  r.location.address = q.address;
  r.location.lat = q.lat;
  r.location.lon = q.lon;
  r.view.address = r.location.address;
  r.view.dispatched_ms = bridge::parse_sent_at_ms(q.dispatched_at);
  // CAD offers a telehealth-only unit the call as telehealth.
  r.view.telehealth = q.mode == "telehealth";
  r.view.dispatch_asked = q.requested_by == "dispatch";
  r.view.reason_codes = q.reasons;
  return r;
}

}  // namespace mdtc::plugin
