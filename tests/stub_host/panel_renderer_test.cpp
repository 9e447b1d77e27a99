#include "panel_renderer.h"

#include <gtest/gtest.h>

namespace {

const char* kPanel =
    R"({"id":"premise:I-1","kind":"premise","title":"PREMISE HISTORY - SAFETY FLAGS","subtitle":"WELFARE CHECK - 1208 N MAPLE ST",)"
    R"("severity":"danger","sections":[{"id":"safety","title":"SAFETY","severity":"danger","fields":[)"
    R"({"label":"Weapons reported","value":"Legally owns rifles","severity":"danger"}]},)"
    R"({"id":"sud","title":"SUD","severity":"caution","notice":"42 CFR part 2 prohibits unauthorized use or disclosure of these records.","fields":[]}],)"
    R"("actions":[{"id":"dismiss","label":"Dismiss","style":"default"}]})";

TEST(PanelRenderer, ShowsTitleSafetyMarkNoticeAndActions) {
  const std::string text = render_panel(kPanel, "[2A31]", "SHOW", false);
  EXPECT_NE(text.find("PREMISE HISTORY - SAFETY FLAGS"), std::string::npos);
  EXPECT_NE(text.find("!! Weapons reported: Legally owns rifles"), std::string::npos) << text;
  EXPECT_NE(text.find("NOTICE: 42 CFR part 2"), std::string::npos);
  EXPECT_NE(text.find("[Dismiss]"), std::string::npos);
  EXPECT_EQ(text.find("\033["), std::string::npos) << "no colour codes when colour is off";
}

TEST(PanelRenderer, DangerIsRedWhenColourIsOn) {
  EXPECT_NE(render_panel(kPanel, "", "SHOW", true).find("\033[1;37;41m"), std::string::npos);
}

TEST(PanelRenderer, UnreadablePanelIsReportedNotFatal) {
  EXPECT_NE(render_panel("{not json", "[2A31]", "SHOW", false).find("unreadable panel"),
            std::string::npos);
}

}  // namespace
