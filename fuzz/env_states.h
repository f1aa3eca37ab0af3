// The environments whose saved states fuzz target env_state restores: every
// environment of the registry, some with parameters that change the size of
// their state. The first byte of an input picks one (modulo their number).
#pragma once

#include <string>
#include <vector>

namespace disco::fuzz {

inline const std::vector<std::string>& env_state_names() {
  static const std::vector<std::string> names = {
      "catch",
      "catch(rows=5,columns=3)",
      "deep_sea(size=5)",
      "deep_sea(size=4,randomize_actions=false)",
      "gridworld",
      "gridworld(layout=rand_small)",
      "gridworld(layout=small)",
      "sokoban(size=7,boxes=2)",
      "minatar_breakout",
      "minatar_asterix",
      "minatar_freeway",
      "minatar_seaquest",
      "minatar_space_invaders",
  };
  return names;
}

// Slots of the batch a state is saved from and restored into.
constexpr int kEnvStateBatch = 2;

}  // namespace disco::fuzz
