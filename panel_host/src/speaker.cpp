// Spoken caution lines through libespeak-ng, played with pcaudiolib (the
// library espeak-ng itself plays through), or written as WAV files.
#include <espeak-ng/speak_lib.h>
#include <pcaudiolib/audio.h>

#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <numbers>
#include <stdexcept>
#include <thread>

#include "mdtc/panel_host.h"

namespace mdtc::panel {
namespace {

// espeak-ng hands synthesized samples to this callback in synchronous mode;
// user_data carries the vector to append to.
int collect(short* wav, int n, espeak_EVENT* events) {
  if (wav && n > 0 && events) {
    auto* out = static_cast<std::vector<int16_t>*>(events->user_data);
    out->insert(out->end(), wav, wav + n);
  }
  return 0;
}

void write_wav(const std::string& path, const std::vector<int16_t>& samples, int rate) {
  std::ofstream out(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); };
  const uint32_t bytes = static_cast<uint32_t>(samples.size() * 2);
  out.write("RIFF", 4);
  u32(36 + bytes);
  out.write("WAVEfmt ", 8);
  u32(16);
  u16(1);  // PCM
  u16(1);  // mono
  u32(static_cast<uint32_t>(rate));
  u32(static_cast<uint32_t>(rate * 2));
  u16(2);
  u16(16);
  out.write("data", 4);
  u32(bytes);
  out.write(reinterpret_cast<const char*>(samples.data()), bytes);
}

}  // namespace

std::vector<int16_t> alert_tone(int sample_rate, int volume) {
  const int note = sample_rate * 180 / 1000, ramp = sample_rate * 10 / 1000;
  const double peak = 12000.0 * std::clamp(volume, 0, 200) / 100.0;
  std::vector<int16_t> out;
  for (double hz : {880.0, 660.0}) {
    for (int i = 0; i < note; ++i) {
      // Ramps at both ends: a hard edge clicks.
      const double envelope = std::min({1.0, static_cast<double>(i) / ramp, static_cast<double>(note - i) / ramp});
      out.push_back(static_cast<int16_t>(peak * envelope * std::sin(2 * std::numbers::pi * hz * i / sample_rate)));
    }
  }
  return out;
}

struct Speaker::Impl {
  SpeechOptions options;
  int rate = 22050;
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> lines;
  int busy = 0;
  bool stopping = false;
  int spoken = 0;
  std::thread thread;

  void run() {
    for (;;) {
      std::string line;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !lines.empty(); });
        if (lines.empty()) return;
        line = std::move(lines.front());
        lines.pop_front();
        ++busy;
      }
      speak(line);
      std::lock_guard lock(mu);
      --busy;
      cv.notify_all();
    }
  }

  void speak(const std::string& line) {
    std::vector<int16_t> samples = alert_tone(rate, options.volume);
    samples.resize(samples.size() + static_cast<std::size_t>(rate / 5), 0);  // a breath between tone and words
    espeak_Synth(line.c_str(), line.size() + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, &samples);
    espeak_Synchronize();
    if (!options.wav_dir.empty()) {
      write_wav(options.wav_dir + "/spoken-" + std::to_string(++spoken) + ".wav", samples, rate);
      return;
    }
    audio_object* out = create_audio_device_object(nullptr, "mdt-coresponder", "caution");
    if (!out) return;
    if (audio_object_open(out, AUDIO_OBJECT_FORMAT_S16LE, static_cast<uint32_t>(rate), 1) == 0) {
      audio_object_write(out, samples.data(), samples.size() * 2);
      audio_object_drain(out);
      audio_object_close(out);
    }
    audio_object_destroy(out);
  }
};

namespace {

// espeak-ng is one engine per process, and in 1.51 a second
// espeak_Terminate (or a Terminate then Initialize) deadlocks on its event
// thread: so it starts once and lives as long as the process.
int engine_rate() {
  static const int rate = [] {
    // Synchronous: samples come back to us, so the tone goes first in one
    // stream and the same code writes a WAV file for tests.
    const int r = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 500, nullptr, 0);
    if (r > 0) espeak_SetSynthCallback(collect);
    return r;
  }();
  return rate;
}

}  // namespace

Speaker::Speaker(SpeechOptions options) : impl_(new Impl) {
  impl_->options = std::move(options);
  const int rate = engine_rate();
  if (rate <= 0) throw std::runtime_error("espeak-ng did not start: is espeak-ng-data installed?");
  impl_->rate = rate;
  if (espeak_SetVoiceByName(impl_->options.voice.c_str()) != EE_OK) {
    throw std::runtime_error("espeak-ng has no voice '" + impl_->options.voice + "': expected a name from espeak-ng --voices");
  }
  espeak_SetParameter(espeakVOLUME, impl_->options.volume, 0);
  espeak_SetParameter(espeakRATE, impl_->options.rate_wpm, 0);
  impl_->thread = std::thread([this] { impl_->run(); });
}

Speaker::~Speaker() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  impl_->thread.join();
}

void Speaker::say(const std::string& text) {
  std::lock_guard lock(impl_->mu);
  impl_->lines.push_back(text);
  impl_->cv.notify_all();
}

void Speaker::drain() {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait(lock, [&] { return impl_->lines.empty() && impl_->busy == 0; });
}

}  // namespace mdtc::panel
