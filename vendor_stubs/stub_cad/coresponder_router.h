// The gateway's co-responder dispatch rules (docs/protocol.md,
// "Co-responder messages"): offer a request to the clinician units its live
// states say can come (available ones nearest first, then those that never
// sent a state, then telehealth-only units as telehealth offers; busy and
// off-duty units are not asked), the first accept wins, everyone else hears "taken", all declining means
// "declined", nobody on duty means "no_coresponder" at once. Pure: messages
// in, messages to publish out.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace stub_cad {

struct Outgoing {
  std::string topic;                 // "unit.<id>"
  std::string type;                  // wire type to publish
  Poco::JSON::Object::Ptr body;      // without envelope fields
};

class CoresponderRouter {
 public:
  void set_on_duty(const std::string& unit, bool on_duty);
  bool on_duty(const std::string& unit) const { return on_duty_.count(unit) != 0; }

  // A unit's live state (`coresponder_state`): routes the next requests.
  void on_state(const std::string& unit, const Poco::JSON::Object& body);
  // The unit's last AVL position, for nearest first.
  void set_position(const std::string& unit, double lat, double lon);

  std::vector<Outgoing> on_request(const std::string& from, const Poco::JSON::Object& body);
  // A dispatcher asks for a co-responder for `for_unit`'s incident: the
  // offers go out as for the officer's own request, and the officer's unit
  // gets the request too, so its panel says that dispatch asked.
  std::vector<Outgoing> on_dispatch_request(const std::string& for_unit, const Poco::JSON::Object& body);
  std::vector<Outgoing> on_response(const std::string& from, const Poco::JSON::Object& body);
  std::vector<Outgoing> on_status(const std::string& from, const Poco::JSON::Object& body);

 private:
  struct Request {
    std::string requester;
    std::string incident_id;
    std::set<std::string> offered;
    std::set<std::string> declined;
    std::string accepted_by;
  };
  std::set<std::string> on_duty_;
  std::map<std::string, std::string> states_;                       // unit -> live state
  std::map<std::string, std::pair<double, double>> positions_;      // unit -> lat, lon
  std::map<std::string, Request> requests_;  // by request_id
};

}  // namespace stub_cad
