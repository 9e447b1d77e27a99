// The officer's / clinician's screen as a local web page, the way every host
// of this project shows the plugin's panels: served on 127.0.0.1 only;
// panels stream to the page as server-sent events, a tap comes back as
// POST /action with the panel's inputs as the action's JSON payload, and the
// page posts /heartbeat every second and gets the status strip back, so the
// page knows within seconds when the host stops answering and the host knows
// when the page has gone (docs/panel-ux.md).
//
// Only the screen's own user may act: with a secret set, /events, /action
// and /heartbeat need it (the host hands it to the browser it opens, in the
// URL's fragment), and with same_user_only a connection from another local
// user is refused; both refusals are logged.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mdtc::panel {

struct PanelServerOptions {
  int port = 0;  // 0 picks a free port; see PanelServer::port()
  std::string title = "MDT";
  // Empty: no secret asked (stub-mdt-host on a test bench only).
  std::string secret;
  bool same_user_only = true;
  // Refusals and other events worth a line in the journal. Any thread.
  std::function<void(const std::string& line)> log;
  // The status strip's JSON, answered to each heartbeat. Any thread.
  std::function<std::string()> status;
};

class PanelServer {
 public:
  // payload_json is empty when the panel has no inputs. Called on one of the
  // server's threads: queue the tap, do not call into the plugin from it.
  using ActionHandler = std::function<void(const std::string& panel_id, const std::string& action,
                                           const std::string& payload_json)>;

  // Throws std::runtime_error when the port cannot be bound.
  PanelServer(PanelServerOptions options, ActionHandler on_action);
  ~PanelServer();
  PanelServer(const PanelServer&) = delete;
  PanelServer& operator=(const PanelServer&) = delete;

  int port() const;
  // Whether the page is in concealed mode (dimmed, no sound), as its latest heartbeat said.
  bool concealed() const;
  // kind: "show", "update" or "close"; panel_json empty for close.
  void publish(const std::string& kind, const std::string& panel_id, const std::string& panel_json);
  // Milliseconds (steady clock) of the page's latest accepted heartbeat; empty before the first.
  std::optional<int64_t> last_heartbeat_ms() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// 32 bytes from the kernel's random source as 64 hex digits: one per boot
// of the host, never written to disk except the URL file the host is told to write.
std::string make_boot_secret();

// Constant-time comparison: a wrong guess must not tell how much was right.
bool secret_matches(std::string_view expected, std::string_view given);

// The uid owning the loopback TCP connection from peer_port to
// server_port, read from the text of /proc/net/tcp (or tcp6); empty when no
// such line. Pure, so the parsing is tested with plain text.
std::optional<uint32_t> loopback_peer_uid(std::string_view proc_net_tcp, uint16_t peer_port,
                                          uint16_t server_port);

// Checks a panel document against docs/panel-format.md: empty when it is a
// valid version-1 panel, else the first wrong member and why
// ("sections[0].fields[2].severity: 'red': expected info, caution, warning
// or danger"). A strict host refuses such a panel, so no test run misses one.
std::string panel_format_error(const std::string& panel_json);

// Spoken caution lines: a distinct two-note tone, then the line, through
// espeak-ng's library (not a shell command), on the speaker's own thread
// so a plugin callback never waits for the sound card.
struct SpeechOptions {
  std::string voice = "en-us";
  int volume = 100;  // espeak-ng's scale: 0 silent, 100 normal, up to 200
  int rate_wpm = 160;
  // Empty: the sound card (PulseAudio or ALSA through pcaudiolib). A
  // directory: each utterance as spoken-N.wav there (tests, bench rigs).
  std::string wav_dir;
};

// 16-bit mono samples of the alert tone at `sample_rate`: 880 Hz then
// 660 Hz, 180 ms each with 10 ms ramps, unlike any sound espeak-ng makes.
// Pure.
std::vector<int16_t> alert_tone(int sample_rate, int volume);

class Speaker {
 public:
  // Throws std::runtime_error when espeak-ng cannot start (no voice data).
  explicit Speaker(SpeechOptions options);
  ~Speaker();
  Speaker(const Speaker&) = delete;
  Speaker& operator=(const Speaker&) = delete;
  // Queues one line; returns at once.
  void say(const std::string& text);
  // Waits until every queued line has been spoken (tests, shutdown).
  void drain();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Whether the sun is up (above -0.833 degrees, the sunrise convention) at
// a position and a Unix time in milliseconds, from the low-precision solar
// formulas of the Astronomical Almanac (good to about a minute of sunrise
// before 2100). Pure: the night theme follows the car, not the clock.
bool sun_is_up(double lat, double lon, int64_t unix_ms);

// What the host knows of the plugin when the page's heartbeat asks.
struct PluginHealth {
  std::string status_json;       // the plugin's latest status_json; empty before the first
  int64_t status_age_ms = 0;     // since status_json last returned
  bool started = true;           // false once the host has stopped it or it failed to start
  int64_t unix_ms = 0;           // now; with the plugin's position, the strip says whether it is day
};

// The status strip as JSON for the page: {"severity":..., "items":[{"id",
// "text","severity"}...]}: the plugin, the CAD link, the flag cache's age
// and GPS, each in words ("CAD LINK DOWN"), never colour alone; with a
// position and a time, "daylight": true or false for the page's theme. Pure.
// A plugin whose status_json has not returned for plugin_silent_after_ms,
// or whose pipeline has not gone round for as long, is "not responding".
std::string status_strip_json(const PluginHealth& health, int64_t plugin_silent_after_ms = 3000);

}  // namespace mdtc::panel
