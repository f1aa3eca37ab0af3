// Fuzz target: a Boxoban-format levels file (parse_sokoban_levels,
// src/envs/sokoban/sokoban_level_file.h), read at 10x10 (Boxoban's size) and
// at 7x7. Every level it accepts is then played: a few steps of a Sokoban
// environment of that size, observed and rendered, must stay in bounds.
#include <cstdint>
#include <memory>
#include <sstream>
#include <vector>

#include "envs/sokoban/sokoban.h"
#include "envs/sokoban/sokoban_level_file.h"
#include "fuzz_support.h"

namespace {

void parse_and_play(const std::string& text, int size) {
  std::istringstream in(text);
  const auto levels = disco::parse_sokoban_levels(in, size, size, "input.txt");
  disco::SokobanSettings settings;
  settings.rows = settings.columns = size;
  settings.boxes = 1;
  settings.max_steps = 16;
  disco::Sokoban env(settings);
  disco::Rng rng(0);
  std::vector<float> obs(env.spec().observation_size());
  for (size_t i = 0; i < levels.size() && i < 8; ++i) {
    env.set_level(levels[i]);
    for (int t = 0; t < 12; ++t) {
      // An action sequence that walks into every side and pushes twice.
      static constexpr int kActions[12] = {0, 0, 2, 2, 1, 1, 1, 3, 3, 3, 0, 2};
      env.step(kActions[t], rng);
      env.observe(obs.data());
    }
    env.render();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = disco::fuzz::as_string(data, size);
  for (int board : {10, 7}) {
    disco::fuzz::expect_clean_refusals([&] { parse_and_play(text, board); });
  }
  return 0;
}
