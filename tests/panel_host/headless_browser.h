// Debian's chromium, headless, driven over the DevTools protocol (a
// WebSocket on loopback) so a test can load the real page, read the DOM,
// press keys and take screenshots. Nothing is downloaded: a machine without
// /usr/bin/chromium skips these tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "temp_dir.h"

namespace mdtc::test {

class HeadlessBrowser {
 public:
  static bool available();
  // Starts chromium with its own profile under a temporary directory and a
  // 1024x768 viewport; throws when it does not come up within 30 s.
  HeadlessBrowser(int width = 1024, int height = 768);
  ~HeadlessBrowser();
  HeadlessBrowser(const HeadlessBrowser&) = delete;
  HeadlessBrowser& operator=(const HeadlessBrowser&) = delete;

  void navigate(const std::string& url);
  // The expression's value as JSON text ("true", "\"text\"", "{...}").
  std::string eval(const std::string& expression);
  // Evaluates `expression` until it is true or `timeout` passes; the
  // browser's own event loop is what is awaited, not a fixed sleep.
  bool wait_until(const std::string& expression, std::chrono::milliseconds timeout);
  // Presses and releases a key as a keyboard would ("F1", "Tab", "Enter").
  void press(const std::string& key);
  void screenshot(const std::string& png_path);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdtc::test
