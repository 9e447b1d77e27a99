// Renders a panel document as a block of terminal text, safety in red when
// colour is on. Pure: used by stub-mdt-host and its tests.
#pragma once

#include <string>

std::string render_panel(const std::string& panel_json, const std::string& label,
                         const std::string& verb, bool color);
