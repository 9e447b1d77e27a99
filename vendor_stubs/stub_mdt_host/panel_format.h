// Checks a panel document against docs/panel-format.md (version 1) the way a
// strict host would before rendering it. Pure: used by stub-mdt-host, which
// refuses and records a panel that fails, and by its tests.
#pragma once

#include <string>

// "" when the document is a valid version-1 panel; otherwise what is wrong,
// naming the member and what was expected ("sections[1].fields[0].severity:
// 'red': expected info, caution, warning or danger").
std::string panel_format_error(const std::string& panel_json);
