// Spoken caution lines: the tone first, then espeak-ng's words.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "mdtc/panel_host.h"
#include "temp_dir.h"

namespace {

using mdtc::panel::alert_tone;

// Zero crossings from rising edges: a tone of f Hz over t seconds has f*t.
int rising_crossings(const std::vector<int16_t>& s, std::size_t from, std::size_t to) {
  int n = 0;
  for (std::size_t i = from + 1; i < to; ++i) n += s[i - 1] < 0 && s[i] >= 0;
  return n;
}

TEST(AlertTone, Is880ThenSixSixtyHertzAt180MillisecondsEach) {
  const auto t = alert_tone(22050, 100);
  ASSERT_EQ(t.size(), 2u * 22050 * 180 / 1000);
  const std::size_t half = t.size() / 2;
  EXPECT_NEAR(rising_crossings(t, 0, half), 880 * 0.18, 2);
  EXPECT_NEAR(rising_crossings(t, half, t.size()), 660 * 0.18, 2);
  EXPECT_EQ(t.front(), 0);  // ramped: no click
}

TEST(AlertTone, FollowsTheVolumeAndIsSilentAtZero) {
  auto peak = [](const std::vector<int16_t>& s) {
    int p = 0;
    for (auto v : s) p = std::max(p, std::abs(static_cast<int>(v)));
    return p;
  };
  EXPECT_EQ(peak(alert_tone(22050, 0)), 0);
  EXPECT_GT(peak(alert_tone(22050, 200)), peak(alert_tone(22050, 100)));
}

TEST(Speaker, WritesTheToneThenTheWordsThroughTheLibrary) {
  mdtc::test::TempDir dir;
  mdtc::panel::SpeechOptions o;
  o.wav_dir = dir.path();
  {
    mdtc::panel::Speaker speaker(o);
    speaker.say("Caution: Weapons reported at this address. Address: 1208 N Maple St.");
    speaker.drain();
  }
  const std::string wav = dir.file("spoken-1.wav");
  ASSERT_TRUE(std::filesystem::exists(wav));
  std::ifstream in(wav, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 44u);
  EXPECT_EQ(bytes.substr(0, 4), "RIFF");
  uint32_t rate = 0;
  std::memcpy(&rate, bytes.data() + 24, 4);
  std::vector<int16_t> samples((bytes.size() - 44) / 2);
  std::memcpy(samples.data(), bytes.data() + 44, samples.size() * 2);
  const auto tone = alert_tone(static_cast<int>(rate), 100);
  ASSERT_GT(samples.size(), tone.size());
  EXPECT_TRUE(std::equal(tone.begin(), tone.end(), samples.begin())) << "the tone comes first";
  // Words after the tone and the pause: a quarter second of sound at least.
  std::size_t voiced = 0;
  for (std::size_t i = tone.size(); i < samples.size(); ++i) voiced += std::abs(samples[i]) > 500;
  EXPECT_GT(voiced, rate / 4) << "espeak-ng spoke nothing";
}

TEST(Speaker, AnUnknownVoiceIsRefusedByName) {
  mdtc::panel::SpeechOptions o;
  o.voice = "no-such-voice";
  try {
    mdtc::panel::Speaker speaker(o);
    FAIL() << "accepted an unknown voice";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-voice"), std::string::npos) << e.what();
  }
}

}  // namespace
