// The page every host of this project serves (docs/panel-ux.md says what
// it shows in each state and why). "TITLE" in it is replaced by the
// screen's title as a JSON string.
#pragma once

namespace mdtc::panel {

const char* panel_page_html();

}  // namespace mdtc::panel
