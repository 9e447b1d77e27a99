// The names of the wire v1 types and what every incident-scoped message
// shares (mdtc/wire.h).
#include <array>

#include "mdtc/wire.h"

namespace mdtc::bridge {
namespace {

constexpr std::array<std::string_view, std::variant_size_v<Payload>> kNames{{
    "",
    "dispatch",
    "incident_update",
    "cancel",
    "unit_cleared",
    "coresponder_request",
    "coresponder_response",
    "coresponder_status",
    "coresponder_state",
    "unit_location",
    "avl",
    "heartbeat",
    "hello",
    "hello_ack",
    "ack",
    "catchup",
    "catchup_done",
    "wipe",
}};

// The variant's order is the enum's: a mismatch would mislabel messages.
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(MessageType::dispatch), Payload>,
                             Dispatch>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(MessageType::coresponder_state), Payload>,
                             CoresponderState>);
static_assert(std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(MessageType::wipe), Payload>,
                             Wipe>);

const std::string kNoIncident;

}  // namespace

std::string_view to_string(MessageType type) { return kNames.at(static_cast<std::size_t>(type)); }

std::optional<MessageType> message_type_named(std::string_view name) {
  if (name.empty()) return std::nullopt;
  for (std::size_t i = 1; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<MessageType>(i);
  return std::nullopt;
}

const std::string& Message::incident_id() const {
  if (const auto* inc = incident()) return inc->id;
  if (const auto* c = as<Cancel>()) return c->incident_id;
  if (const auto* c = as<UnitCleared>()) return c->incident_id;
  if (const auto* r = as<CoresponderRequest>()) return r->incident_id;
  if (const auto* r = as<CoresponderResponse>()) return r->incident_id;
  if (const auto* s = as<CoresponderStatus>()) return s->incident_id;
  return kNoIncident;
}

const Incident* Message::incident() const {
  if (const auto* d = as<Dispatch>()) return &d->incident;
  if (const auto* u = as<IncidentUpdate>()) return &u->incident;
  return nullptr;
}

MessageType type_of(const Outbound& m) {
  return std::visit(
      [](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return static_cast<MessageType>(Payload(T{}).index());
      },
      m);
}

}  // namespace mdtc::bridge
