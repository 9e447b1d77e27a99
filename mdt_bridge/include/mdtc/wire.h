// Wire protocol v1 (docs/protocol.md) as types: one struct per message, in
// and out, each with one decoder (inside decode(), table-driven by "type")
// and one encoder (encode_body). This is the only place that knows the
// messages' JSON: everything above the bridge reads and builds these
// structs. No JSON library type appears here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mdtc/location.h"
#include "mdtc/result.h"

namespace mdtc::bridge {

inline constexpr int kWireVersion = 1;

using mdtc::Location;  // where the call is (mdtc/location.h)

// Every v1 type, in the order of Payload's alternatives (`none` is the
// empty payload: a message that is not one, e.g. the link's placeholder
// for a body it could not decode).
enum class MessageType {
  none,
  dispatch,
  incident_update,
  cancel,
  unit_cleared,
  coresponder_request,
  coresponder_response,
  coresponder_status,
  coresponder_state,
  unit_location,
  avl,
  heartbeat,
  hello,
  hello_ack,
  ack,
  catchup,
  catchup_done,
  wipe,
};

// The wire name ("dispatch", ...); "" for none.
std::string_view to_string(MessageType type);
// The type a wire name names; empty for a name v1 does not have.
std::optional<MessageType> message_type_named(std::string_view name);

// The states a clinician unit reports in `coresponder_state`.
inline constexpr std::string_view kCoresponderStates[] = {"available", "busy", "telehealth", "off_duty"};

// The native incident object of a dispatch or update (or an EIDO mapped to it).
struct Incident {
  std::string id;
  std::string call_type;
  int priority = 0;
  std::string narrative;
  std::vector<std::string> units;
  Location location;
};

// ---- Gateway -> unit ----

// Must say where to go (address, civic or lat+lon).
struct Dispatch {
  Incident incident;
};
// Same shape; only the id is required.
struct IncidentUpdate {
  Incident incident;
};
struct Cancel {
  std::string incident_id;
};
struct UnitCleared {
  std::string incident_id;
  std::string unit;  // the unit it names, if any
};
// CAD's relay of a clinician unit's AVL position. A number that is not one
// reads as absent: the plugin counts such a position rather than the link.
struct UnitLocation {
  std::string unit;
  std::optional<double> lat;
  std::optional<double> lon;
};
// Topic -> last seq published in this epoch. A value that is not an
// unsigned integer is kept as empty (the link ignores that topic).
using TopicHeads = std::map<std::string, std::optional<uint64_t>>;
struct Heartbeat {
  TopicHeads topics;
};
struct HelloAck {
  TopicHeads topics;
};
struct Ack {
  std::string key;  // empty when absent or not a string
};
struct CatchupDone {
  std::string topic;
  std::optional<uint64_t> from_seq;
  std::optional<uint64_t> to_seq;
};
struct Wipe {
  std::string reason;
};

// ---- Co-responder messages (both directions) ----

// Patrol unit -> gateway; gateway -> clinician (with from_unit, maybe mode);
// gateway -> patrol unit for a dispatcher's request (requested_by dispatch).
// Text fields: empty = absent.
struct CoresponderRequest {
  std::string request_id;
  std::string incident_id;
  std::string call_type;
  int priority = 0;
  std::string address;
  std::string dispatched_at;  // RFC 3339 UTC
  std::optional<double> lat;  // both or neither
  std::optional<double> lon;
  std::vector<std::string> reasons;
  bool automatic = false;
  std::string requested_at;  // RFC 3339 UTC
  std::string requested_by;  // officer, auto_rule, dispatch
  std::string from_unit;     // gateway -> clinician
  std::string mode;          // gateway -> clinician: "telehealth" or empty
};
// Clinician -> gateway: the answer to an offer.
struct CoresponderResponse {
  std::string request_id;
  std::string incident_id;
  bool accepted = false;
  std::string name;
  std::optional<int> eta_s;
};
// Gateway -> unit, and unit -> gateway for progress and withdrawal.
struct CoresponderStatus {
  std::string request_id;
  std::string incident_id;
  std::string state;  // accepted, taken, declined, no_coresponder, en_route, on_scene, cleared, cancelled
  std::string by_unit;
  std::string by_name;
  std::optional<int> eta_s;
};
// Clinician -> gateway (unit from the envelope); gateway -> `all` (unit set).
struct CoresponderState {
  std::string unit;
  std::string state;  // one of kCoresponderStates
  std::string free_at;
  std::string name;
  std::string changed_at;
};

// ---- Unit -> gateway ----

struct Avl {
  double lat = 0;
  double lon = 0;
  std::optional<double> speed_mps;
  std::optional<double> course_deg;
  std::string fix_at;
};
struct Hello {
  std::string role;  // patrol, coresponder
  std::string name;
  bool diagnostic = false;  // `doctor`'s short visit, not the plugin starting
};
struct Catchup {
  std::string topic;
  std::string epoch;
  uint64_t from_seq = 0;
  uint64_t to_seq = 0;
};

// The alternatives are in MessageType's order, so the alternative held is
// the message's type.
using Payload = std::variant<std::monostate, Dispatch, IncidentUpdate, Cancel, UnitCleared, CoresponderRequest,
                             CoresponderResponse, CoresponderStatus, CoresponderState, UnitLocation, Avl,
                             Heartbeat, Hello, HelloAck, Ack, Catchup, CatchupDone, Wipe>;

// One decoded wire message: its envelope and its payload.
struct Message {
  std::string topic;
  uint64_t seq = 0;
  std::string epoch;
  std::string sent_at;
  Payload payload;

  MessageType type() const { return static_cast<MessageType>(payload.index()); }
  template <class T>
  const T* as() const {
    return std::get_if<T>(&payload);
  }
  template <class T>
  T* as() {
    return std::get_if<T>(&payload);
  }
  // The incident an incident-scoped message is about (dispatch, update,
  // cancel, unit_cleared, co-responder request/response/status); "" else.
  const std::string& incident_id() const;
  // The incident of a dispatch or an update; null for other types.
  const Incident* incident() const;
};

// What a unit sends through Link::send.
using Outbound = std::variant<CoresponderRequest, CoresponderResponse, CoresponderStatus, CoresponderState, Avl>;

// A wire timestamp (`sent_at`, RFC 3339 with any offset and fraction) as
// milliseconds since the Unix epoch; empty when it is not one.
std::optional<int64_t> parse_sent_at_ms(std::string_view sent_at);

// Pure: topic + body -> Message, or an Error whose code names the reason
// ("wire.bad_json", "wire.bad_version", "wire.missing_field", "wire.bad_type",
// "wire.bad_value", "wire.unknown_type", "wire.too_large", "wire.bad_eido").
// Unknown fields are ignored.
Result<Message> decode(std::string_view topic, std::string_view body, std::size_t max_bytes = 65536);

// Pure encoders: a message's JSON object without the envelope (what
// Link::send takes; the link adds v, type, seq, sent_at, unit and key).
// Field order is fixed, so equal structs give equal bytes.
std::string encode_body(const Dispatch& m);
std::string encode_body(const IncidentUpdate& m);
std::string encode_body(const Cancel& m);
std::string encode_body(const UnitCleared& m);
std::string encode_body(const CoresponderRequest& m);
std::string encode_body(const CoresponderResponse& m);
std::string encode_body(const CoresponderStatus& m);
std::string encode_body(const CoresponderState& m);
std::string encode_body(const UnitLocation& m);
std::string encode_body(const Avl& m);
std::string encode_body(const Heartbeat& m);
std::string encode_body(const Hello& m);
std::string encode_body(const HelloAck& m);
std::string encode_body(const Ack& m);
std::string encode_body(const Catchup& m);
std::string encode_body(const CatchupDone& m);
std::string encode_body(const Wipe& m);
std::string encode_body(const Payload& m);  // "{}" for none

MessageType type_of(const Outbound& m);
std::string encode_body(const Outbound& m);

// A whole message as a gateway would publish it: v, type, seq, epoch and
// sent_at (when set) around encode_body(payload). decode(topic, encode(m))
// gives m back.
std::string encode(const Message& m);

}  // namespace mdtc::bridge
