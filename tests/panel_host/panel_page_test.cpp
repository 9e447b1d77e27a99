// The real page in headless Chromium at 1024x768, measured rather than
// eyeballed: tap targets, text contrast in both themes, the first screen,
// moving mode, the keyboard alone, and no opposite action under the last
// tap. Saves screenshots of day, night and moving mode (set
// MDTC_UPDATE_SCREENSHOTS=1 to write them into docs/images for the docs).
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <vector>

#include "headless_browser.h"
#include "mdtc/panel_host.h"

namespace mdtc::test {
namespace {

using namespace std::chrono_literals;

// Shaped like the plugin's own premise and request panels for the demo's
// flagged address (fictional data).
const std::string kPremise =
    R"({"v":1,"id":"premise:I-2","kind":"premise","title":"PREMISE HISTORY - SAFETY FLAGS",)"
    R"("subtitle":"WELFARE CHECK - 1208 n. maple street #3b","severity":"danger","incident_id":"I-2","sections":[)"
    R"({"id":"incident","title":"INCIDENT","severity":"info","fields":[{"label":"Incident","value":"I-2","severity":"info"},)"
    R"({"label":"Dispatched","value":"2026-11-22 10:00 UTC","severity":"info"}]},)"
    R"({"id":"where","title":"MATCH","severity":"info","fields":[{"label":"Match","value":"this unit, exact","severity":"info"},)"
    R"({"label":"Flags as of","value":"2026-11-22 09:00 UTC, 1 h old","severity":"info"}]},)"
    R"({"id":"safety","title":"SAFETY","severity":"danger","fields":[{"label":"Weapons reported","value":"J. Doe: Legally owns rifles, stored in a safe in the bedroom closet",)"
    R"("severity":"danger","code":"WEAPONS","flag_id":"F-1"},{"label":"Dog on premises","value":"Large dog, kept in the yard","severity":"warning","code":"DOG","flag_id":"F-2"}]},)"
    R"({"id":"care","title":"CARE","severity":"caution","fields":[{"label":"De-escalation","value":"J. Doe: calm with low voice, avoid sirens","severity":"caution","code":"DEESC","flag_id":"F-3"}]},)"
    R"({"id":"people","title":"PEOPLE","severity":"info","fields":[{"label":"J. Doe","value":"adult, resident","severity":"info"}]},)"
    R"({"id":"history","title":"PRIOR CALLS","severity":"info","fields":[{"label":"2026-10-02","value":"WELFARE CHECK - RESOLVED ON SCENE","severity":"info"},)"
    R"({"label":"2026-08-14","value":"DISTURBANCE - REFERRAL MADE","severity":"info"}]}],)"
    R"("actions":[{"id":"dismiss","label":"Dismiss","style":"default"}])";

const std::string kRequest =
    R"({"v":1,"id":"coresponder:I-2","kind":"coresponder_request","title":"CO-RESPONDER",)"
    R"("subtitle":"WELFARE CHECK - 1208 n. maple street #3b","severity":"info","incident_id":"I-2","sections":[)"
    R"({"id":"request","title":"REQUEST","severity":"info","fields":[{"label":"Status","value":"Not requested","severity":"info"},)"
    R"({"label":"On duty","value":"CR7 (Clinician) 2.1 km, about 4 min","severity":"info"}]}],)"
    R"("actions":[{"id":"request_coresponder","label":"Request co-responder","style":"primary"},)"
    R"({"id":"add_other_reasons","label":"Add other premises' reasons","style":"default"}])";

const std::string kRequested =
    R"({"v":1,"id":"coresponder:I-2","kind":"coresponder_request","title":"CO-RESPONDER - REQUESTED",)"
    R"("subtitle":"WELFARE CHECK - 1208 n. maple street #3b","severity":"info","incident_id":"I-2","sections":[)"
    R"({"id":"request","title":"REQUEST","severity":"info","fields":[{"label":"Status","value":"Waiting for a clinician","severity":"info"}]}],)"
    R"("actions":[{"id":"cancel_request","label":"Cancel request","style":"default"}])";

std::string still(const std::string& doc) { return doc + R"(,"motion":{"moving":false,"gps":"fresh"}})"; }
std::string moving(const std::string& doc) {
  return doc + R"(,"motion":{"moving":true,"gps":"fresh","lock_speed_kmh":24,"unlock_after_s":10}})";
}

// WCAG 2 contrast of every visible text against its painted background,
// the lowest first: [ratio, text, colour, background].
const char* kContrast = R"JS((()=>{
 const lum=c=>{const m=c.match(/[\d.]+/g).map(Number);const f=v=>{v/=255;return v<=0.03928?v/12.92:Math.pow((v+0.055)/1.055,2.4)};
   return 0.2126*f(m[0])+0.7152*f(m[1])+0.0722*f(m[2]);};
 const bg=e=>{for(;e;e=e.parentElement){const c=getComputedStyle(e).backgroundColor;const a=c.match(/[\d.]+/g);
   if(a&&(a.length<4||Number(a[3])>0))return c;}return 'rgb(255,255,255)';};
 const out=[];
 for(const e of document.querySelectorAll('body *')){
   if(e.offsetParent===null&&getComputedStyle(e).position!=='fixed')continue;
   const own=[...e.childNodes].filter(n=>n.nodeType===3&&n.textContent.trim()).map(n=>n.textContent.trim()).join(' ');
   if(!own)continue;
   const a=lum(getComputedStyle(e).color),b=lum(bg(e));
   out.push([Math.round(((Math.max(a,b)+0.05)/(Math.min(a,b)+0.05))*100)/100,own.slice(0,40),getComputedStyle(e).color,bg(e)]);
 }
 return out.sort((x,y)=>x[0]-y[0]);
})())JS";

const char* kSmallTargets = R"JS([...document.querySelectorAll('button,select,input,a')]
  .filter(e=>e.offsetParent!==null).map(e=>{const r=e.getBoundingClientRect();return [e.textContent.trim().slice(0,30),Math.round(r.width),Math.round(r.height)];})
  .filter(x=>x[1]<48||x[2]<48))JS";

class PanelPage : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HeadlessBrowser::available()) GTEST_SKIP() << "Debian's chromium is not installed";
    panel::PanelServerOptions o;
    o.secret = secret;
    o.title = "2A31";
    o.status = [] {
      return std::string(R"({"severity":"info","items":[{"id":"plugin","text":"Plugin OK","severity":"info"},)"
                         R"({"id":"cad","text":"CAD link up","severity":"info"},{"id":"cache","text":"Flags 1 h old","severity":"info"},)"
                         R"({"id":"gps","text":"GPS OK","severity":"info"}],"daylight":false})");
    };
    server = std::make_unique<panel::PanelServer>(o, [this](const std::string& p, const std::string& a, const std::string&) {
      std::lock_guard lock(mu);
      taps.push_back(p + "/" + a);
      cv.notify_all();
    });
    browser = std::make_unique<HeadlessBrowser>(1024, 768);
  }

  void open(const std::string& premise, const std::string& request) {
    server->publish("show", "premise:I-2", premise);
    server->publish("show", "coresponder:I-2", request);
    browser->navigate("http://127.0.0.1:" + std::to_string(server->port()) + "/#" + secret);
    ASSERT_TRUE(browser->wait_until("document.querySelector('button.request') && document.getElementById('chip-cad')", 20s));
  }

  bool tapped(const std::string& what) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 10s, [&] { return std::find(taps.begin(), taps.end(), what) != taps.end(); });
  }

  void save(const std::string& name) {
    const std::string built = std::string(MDTC_BINARY_DIR) + "/" + name;
    browser->screenshot(built);
    EXPECT_GT(std::filesystem::file_size(built), 10000u) << built;
    if (const char* u = std::getenv("MDTC_UPDATE_SCREENSHOTS"); u && std::string(u) == "1")
      std::filesystem::copy_file(built, std::string(MDTC_SOURCE_DIR) + "/docs/images/" + name,
                                 std::filesystem::copy_options::overwrite_existing);
  }

  const std::string secret = panel::make_boot_secret();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> taps;
  std::unique_ptr<panel::PanelServer> server;
  std::unique_ptr<HeadlessBrowser> browser;
};

TEST_F(PanelPage, TheTopHazardIsTheTitleBarAndTheRequestIsOnTheFirstScreen) {
  open(still(kPremise), still(kRequest));
  EXPECT_EQ(browser->eval("document.getElementById('hazard').textContent"),
            "\"Weapons reported: J. Doe: Legally owns rifles, stored…\"");
  EXPECT_EQ(browser->eval("document.title"), "\"Weapons reported - 2A31\"");
  EXPECT_EQ(browser->eval("document.getElementById('address').textContent"),
            "\"WELFARE CHECK - 1208 n. maple street #3b\"");
  // The first screen: hazard, the primary action and the safety section fit in 768 px.
  EXPECT_EQ(browser->eval("document.querySelector('button.request').getBoundingClientRect().bottom <= 768"), "true");
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('.sec.danger')][0].getBoundingClientRect().bottom <= 768"), "true");
  // The hazard comes before match and cache metadata.
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('#panel-premise\\\\:I-2 .sec')].map(s=>s.textContent).join(',')"),
            "\"SAFETY,CARE,PEOPLE,PRIOR CALLS,INCIDENT,MATCH\"");
}

TEST_F(PanelPage, TheAutomaticThemeFollowsTheSunWhereTheCarIs) {
  open(still(kPremise), still(kRequest));
  // The host says the sun is down at the car's position, whatever the clock.
  EXPECT_TRUE(browser->wait_until("document.body.classList.contains('night')", 10s));
  browser->eval("setTheme('day')");
  EXPECT_EQ(browser->eval("document.body.classList.contains('night')"), "false");
}

TEST_F(PanelPage, EveryTappableElementIsAtLeast48CssPixels) {
  open(still(kPremise), still(kRequest));
  EXPECT_EQ(browser->eval(kSmallTargets), "[]");
  browser->eval("setTheme('night')");
  EXPECT_EQ(browser->eval(kSmallTargets), "[]");
}

TEST_F(PanelPage, TextContrastIsAtLeastSevenToOneInBothThemes) {
  open(still(kPremise), still(kRequest));
  for (const char* theme : {"day", "night"}) {
    browser->eval(std::string("setTheme('") + theme + "')");
    const std::string worst = browser->eval(std::string(kContrast) + "[0]");
    std::cout << theme << " theme, lowest contrast: " << worst << "\n";
    EXPECT_EQ(browser->eval(std::string(kContrast) + ".filter(x=>x[0]<7)"), "[]") << theme;
  }
  browser->eval("setTheme('day')");
  save("panel-day.png");
  browser->eval("setTheme('night')");
  save("panel-night.png");
}

TEST_F(PanelPage, NoButtonOnANightScreenIsBrighterThanItsText) {
  open(still(kPremise), still(kRequest));
  browser->eval("setTheme('night')");
  // Default buttons are dark with light text: nothing light-grey glows at night.
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('button')].filter(b=>b.offsetParent!==null)"
                          ".map(b=>getComputedStyle(b).backgroundColor).filter(c=>c.match(/\\d+/g).slice(0,3).some(v=>Number(v)>120))"),
            "[]");
}

TEST_F(PanelPage, MovingModeLeavesOnlyTheBannerAndOneLargeRequest) {
  open(moving(kPremise), moving(kRequest));
  ASSERT_TRUE(browser->wait_until("document.body.classList.contains('moving')", 10s));
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('button')].filter(b=>b.offsetParent!==null).map(b=>b.dataset.action||b.id)"),
            "[\"request_coresponder\"]");
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('.sec,.f,.title')].filter(e=>e.offsetParent!==null).length"), "0");
  EXPECT_EQ(browser->eval("document.getElementById('hazard').offsetParent!==null"), "true");
  EXPECT_EQ(browser->eval("document.querySelector('button.request').getBoundingClientRect().height >= 96"), "true");
  EXPECT_EQ(browser->eval("document.body.scrollHeight <= 768"), "true");
  save("panel-moving.png");
  browser->press("F1");
  EXPECT_TRUE(tapped("coresponder:I-2/request_coresponder"));
}

TEST_F(PanelPage, EveryActionWorksFromTheKeyboardAlone) {
  open(still(kPremise), still(kRequest));
  // Function keys as on MDT keyboards, shown on each button.
  EXPECT_EQ(browser->eval("[...document.querySelectorAll('button[data-action]')].map(b=>b.dataset.key+' '+b.dataset.action)"),
            "[\"F1 request_coresponder\",\"F2 add_other_reasons\",\"F3 dismiss\"]");
  browser->press("F1");
  EXPECT_TRUE(tapped("coresponder:I-2/request_coresponder"));
  browser->press("F3");
  EXPECT_TRUE(tapped("premise:I-2/dismiss"));
  // Tab reaches a button and Enter taps it.
  browser->eval("document.activeElement && document.activeElement.blur()");
  browser->press("Tab");
  EXPECT_EQ(browser->eval("document.activeElement.tagName"), "\"BUTTON\"");
  // F9 and F10 switch the theme and concealed mode.
  browser->eval("setTheme('day')");
  browser->press("F9");
  EXPECT_EQ(browser->eval("document.body.classList.contains('night')"), "true");
  browser->press("F10");
  EXPECT_EQ(browser->eval("document.body.classList.contains('concealed')"), "true");
}

TEST_F(PanelPage, TheOppositeActionNeverLandsWhereTheLastTapDid) {
  open(still(kPremise), still(kRequest));
  const std::string rect = "(b=>{const r=b.getBoundingClientRect();return [r.left,r.top,r.right,r.bottom];})";
  const std::string before = browser->eval(rect + "(document.querySelector('button.request'))");
  browser->eval("document.querySelector('button.request').click()");
  ASSERT_TRUE(tapped("coresponder:I-2/request_coresponder"));
  server->publish("update", "coresponder:I-2", still(kRequested));
  ASSERT_TRUE(browser->wait_until("document.querySelector('[data-action=cancel_request]')", 10s));
  // Inert for a moment after the tap, so a bounce cannot withdraw.
  EXPECT_EQ(browser->eval("document.querySelector('[data-action=cancel_request]').disabled"), "true");
  const std::string after = browser->eval(rect + "(document.querySelector('[data-action=cancel_request]'))");
  const std::string overlap = "((a,b)=>a[0]<b[2]&&b[0]<a[2]&&a[1]<b[3]&&b[1]<a[3])(" + before + "," + after + ")";
  EXPECT_EQ(browser->eval(overlap), "false") << before << " " << after;
  ASSERT_TRUE(browser->wait_until("!document.querySelector('[data-action=cancel_request]').disabled", 10s));
}

}  // namespace
}  // namespace mdtc::test
