// The panel document the host renders (docs/panel-format.md):
// { v, id, kind, title, severity, subtitle, sections[{id,title,severity,notice,
//   fields[{label,value,severity,...}]}], actions[{id,label,style}] }.
// Built as plain values so builders stay pure, then serialized once.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mdtc::plugin {

// docs/panel-format.md: raised only for a change an older host cannot read.
inline constexpr int kPanelFormatVersion = 1;

enum class Severity { info, caution, warning, danger };
const char* to_string(Severity);

struct PanelField {
  std::string label;
  std::string value;
  Severity severity = Severity::info;
  std::string code;     // flag code, when the field shows a flag
  std::string flag_id;  // for the audit trail
};

struct PanelSection {
  std::string id;
  std::string title;
  Severity severity = Severity::info;
  std::string notice;  // e.g. the 42 CFR Part 2 notice
  std::vector<PanelField> fields;
};

struct PanelAction {
  std::string id;
  std::string label;
  std::string style = "default";  // "primary", "danger", "default"
  // A URI (https:, tel:, sip:) the host opens when the action is tapped,
  // besides passing the tap on: the officer's telehealth and crisis lines.
  std::string link = {};
};

// A value the user may set before tapping an action; the host sends the
// chosen values back in the action's payload as {"<id>": "<option id>"}.
// With options it is a choice (value = the default option's id); without,
// a line of free text. A host that renders no inputs sends none, and each
// keeps its default.
struct PanelInput {
  std::string id;
  std::string label;
  std::string value;
  std::vector<std::pair<std::string, std::string>> options;  // {id, label}
};

// The car's motion (docs/panel-format.md, "motion"): hosts show only the
// safety banner and the request action while `moving`.
struct PanelMotion {
  bool moving = false;
  std::string gps = "none";  // "fresh", "stale" or "none": why a car is not moving
  double lock_speed_kmh = 24;
  int unlock_after_s = 10;
  friend bool operator==(const PanelMotion&, const PanelMotion&) = default;
};

struct PanelDocument {
  std::string id;
  std::string kind;  // "premise", "coresponder_request", "coresponder_offer", "status"
  std::string title;
  std::string subtitle;
  Severity severity = Severity::info;
  std::string incident_id;
  std::vector<PanelSection> sections;
  std::vector<PanelAction> actions;
  std::vector<PanelInput> inputs;  // serialized only when there are some
  std::optional<PanelMotion> motion;  // set by the plugin as it hands the panel over

  // Flag ids of every flag field, in display order (what the audit records).
  std::vector<std::string> flag_ids() const;
  std::string to_json() const;
};

}  // namespace mdtc::plugin
