// Registry entries for MinAtar games: every game takes the same three
// parameters (MinAtarSettings), so one helper builds its EnvEntry:
//   minatar_entry<Breakout>("minatar_breakout", "MinAtar Breakout: ...")
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "envs/minatar/minatar_game.h"
#include "envs/registry.h"

namespace disco {

inline std::vector<EnvParamDoc> minatar_param_docs() {
  return {{"full_action_set", "bool", "false", "all 6 actions instead of the game's minimal set"},
          {"sticky_action_prob", "double", "0.1",
           "probability that a step repeats the previously executed action"},
          {"difficulty_ramping", "bool", "true",
           "speed the game up over time (Asterix, Seaquest, Space Invaders; others ignore it)"}};
}

// `Game` has a constructor taking const MinAtarSettings&.
template <typename Game>
EnvEntry minatar_entry(const std::string& name, const std::string& description) {
  return {name, description, minatar_param_docs(),
          [](EnvParams& p) { return std::make_unique<Game>(MinAtarSettings::from(p)); }};
}

}  // namespace disco
