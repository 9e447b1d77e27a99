// A local web page that shows the plugin's panels live, the way an MDT
// screen would: large type, safety in red, a button per action. Served on
// loopback only; panels stream to the page as server-sent events, and a tap
// on a button comes back as POST /action, with the panel's inputs (choices
// and text lines) as the action's JSON payload.
#pragma once

#include <functional>
#include <memory>
#include <string>

class WebView {
 public:
  // payload_json is empty when the panel has no inputs.
  using ActionHandler = std::function<void(const std::string& panel_id, const std::string& action,
                                           const std::string& payload_json)>;

  // port 0 picks a free port; see port().
  WebView(int port, std::string title, ActionHandler on_action);
  ~WebView();
  WebView(const WebView&) = delete;
  WebView& operator=(const WebView&) = delete;

  int port() const;
  // kind: "show", "update" or "close"; panel_json empty for close.
  void publish(const std::string& kind, const std::string& panel_id, const std::string& panel_json);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
