// Crafter: an open world of 64x64 cells in which the player gathers wood,
// stone, coal, iron and diamonds, drinks, eats, sleeps, places tables,
// furnaces, stones and saplings, makes pickaxes and swords, and fights
// zombies and skeletons, while food, drink and energy run down and night
// falls every 300 steps. 22 achievements measure how far an agent gets.
//
// Reference: Hafner, "Benchmarking the Spectrum of Agent Capabilities"
// (ICLR 2022); github.com/danijar/crafter (e04542a, v1.8.3), followed rule
// for rule and draw for draw (../shared/crafter_spec.md states the rules;
// docs/crafter.md says what is exact). The symbolic observation is that of
// Craftax-Classic (Matthews et al., "Craftax", ICML 2024;
// github.com/MichaelTMatthews/Craftax, craftax_classic).
//
// Exactness. Every episode's randomness comes from one NumPy RandomState
// (numpy_random.h) seeded with the episode's world seed, and the terrain from
// OpenSimplex noise (opensimplex.h), so for the same world seed and the same
// actions this world IS the original's, step for step (golden traces in
// ../shared/golden/crafter_traces.json; tests/envs/crafter_test.cc). The
// one deliberate difference: a chunk's creatures are taken in the order they
// entered the chunk where the original's order follows memory addresses
// (crafter_world.h).
//
// Seeds. The original's Env(seed=s) seeds episode k (1, 2, ...) with
// hash((s, k)) % (2**31 - 1) (python_hash.h). Here:
//   * seed >= 0 (the parameter): exactly that; reset() counts episodes and
//     ignores the Rng, so every instance with the same seed walks the same
//     worlds (use it for one environment, not for a batch);
//   * seed = -1 (default): reset() draws the episode's world seed uniformly
//     from [0, 2^31 - 1) with the Rng it is given, so a BatchedEnv is
//     deterministic by its seed and its slots see different worlds;
//   * reset_episode(env_seed, k) and reset_world(world_seed) start a given
//     episode directly (the replay of golden traces uses them).
//
// Actions (17): 0 noop, 1 move_left, 2 move_right, 3 move_up, 4 move_down,
// 5 do, 6 sleep, 7 place_stone, 8 place_table, 9 place_furnace,
// 10 place_plant, 11 make_wood_pickaxe, 12 make_stone_pickaxe,
// 13 make_iron_pickaxe, 14 make_wood_sword, 15 make_stone_sword,
// 16 make_iron_sword.
//
// Reward per step: (health - health at the previous step) / 10, plus 1 when
// at least one achievement is unlocked for the first time in the episode
// (in [-0.9, 1.1]; 0 with reward=false). The episode ends with the player's
// death (terminal) or after `length` steps (truncated: spec().max_episode_steps).
// Same-step auto-reset is BatchedEnv's (batched_env.h).
//
// Observation obs=symbolic (default), Craftax-Classic's layout: [1345]
// floats for view 9 (in general local_rows * view * 21 + 22, local_rows =
// view - ceil(16 / view)):
//   index                  what
//   0 .. 1322              map: [7 rows][9 columns][21 channels], C order;
//                          rows = y-3..y+3, columns = x-4..x+4 around the
//                          player (x, y); channels 0..16 one-hot Craftax
//                          block: 0 invalid, 1 out of bounds, 2 grass,
//                          3 water, 4 stone, 5 tree, 6 wood (never), 7 path,
//                          8 coal, 9 iron, 10 diamond, 11 table, 12 furnace,
//                          13 sand, 14 lava, 15 plant, 16 ripe plant (a
//                          plant object replaces its grass); channels
//                          17..20: zombie, cow, skeleton, arrow present
//                          (the player is not marked)
//   1323 .. 1334           inventory / 10 in float16: wood, stone, coal,
//                          iron, diamond, sapling, wood_pickaxe,
//                          stone_pickaxe, iron_pickaxe, wood_sword,
//                          stone_sword, iron_sword
//   1335 .. 1338           health, food, drink, energy / 10 in float16
//   1339 .. 1342           facing one-hot: left, right, up, down
//   1343                   daylight in [0, 1]
//   1344                   sleeping (0 or 1)
// Observation obs=image: [size, size, 3] floats in [0, 1] (RGB / 255, rows
// top to bottom), the original's layout with our own flat colours:
//   unit = size / view pixels per cell; offset (size - unit*view) / 2
//   rows 0 .. local_rows*unit - 1       the local view: view x local_rows
//                                       cells, the player at the centre
//                                       (columns 0..62, rows 0..48 at 64/9)
//   next item_rows*unit rows            the inventory: item i (health, food,
//                                       drink, energy, sapling, wood, stone,
//                                       coal, iron, diamond, the pickaxes,
//                                       the swords) in slot (i % view,
//                                       i / view): a coloured square and
//                                       its count as a digit; empty if 0
//   remaining rows and columns          black
// At night the view darkens and turns blue, with noise toward its edges
// while daylight < 0.5, and a sleeping player sees it grey and dark, as in
// the original (whose noise comes from the world's generator: the game makes
// those draws too, whatever the observation, and the image takes its noise
// from a hash of pixel and step).
//
// Parameters:
//   area    int     the world is area x area cells, 12..256   (default = 64)
//   view    int     the view is view x view cells (local view and
//                   inventory rows), 5..64; objects within
//                   L1 distance 2*view of the player update   (default = 9)
//   size    int     image side in pixels, view..1024; also fixes the
//                   night noise's draws in both observations  (default = 64)
//   length  int     steps until the episode is cut, 0 = never (default = 10000)
//   reward  bool    false: every reward is 0                  (default = true)
//   obs     string  "symbolic" or "image"                     (default = symbolic)
//   seed    int     >= 0: the original's Env(seed); -1: each episode's world
//                   seed drawn from reset()'s Rng             (default = -1)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "envs/crafter/crafter_game.h"
#include "envs/crafter/crafter_observation.h"
#include "envs/env_params.h"
#include "envs/environment.h"

namespace disco {

struct CrafterSettings {
  enum class Observation { kSymbolic, kImage };
  int area = 64;
  int view = 9;
  int size = 64;
  int length = 10000;
  bool reward = true;
  Observation obs = Observation::kSymbolic;
  int seed = -1;
  // Throws std::invalid_argument with one line naming a bad parameter.
  static CrafterSettings from(EnvParams& p);
  void check() const;
};

class Crafter final : public Environment {
 public:
  explicit Crafter(const CrafterSettings& settings);

  const EnvSpec& spec() const override { return spec_; }
  void reset(Rng& rng) override;
  StepOutcome step(int action, Rng& rng) override;
  void observe(float* out) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  std::string render() const override;
  std::vector<std::string> action_names() const override;
  // The 22 achievements in the original's order (data.yaml, alphabetical).
  std::vector<std::string> achievement_names() const override;
  uint64_t unlocked_achievements() const override { return game_.unlocked(); }

  // Episode `episode` (1 for the original's first reset) of Env(seed=env_seed).
  void reset_episode(int64_t env_seed, int64_t episode);
  // A new episode on the world of `world_seed`.
  void reset_world(uint32_t world_seed);
  // The original's step: the game's own outcome (reward as info['reward']).
  crafter::GameStep step_game(crafter::Action action);

  const crafter::Game& game() const { return game_; }
  const CrafterSettings& settings() const { return settings_; }
  // Episodes started so far (the original's Env._episode).
  int64_t episode() const { return episode_; }

 private:
  CrafterSettings settings_;
  EnvSpec spec_;
  crafter::Game game_;
  crafter::ImageRenderer renderer_;
  int64_t episode_ = 0;
};

struct EnvEntry;
EnvEntry crafter_env_entry();

}  // namespace disco
