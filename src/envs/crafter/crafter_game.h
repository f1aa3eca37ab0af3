// One Crafter game: the original's `Env` without its pixels. reset() builds
// the world of an episode from its world seed, step() runs one step in the
// original's order (../shared/crafter_spec.md section 4):
//   1. step += 1; daylight = 1 - |cos(pi * ((step / 300) mod 1 + 0.3))|^3;
//   2. the objects' updates in world order (the player first, with the
//      action), for objects within L1 distance < 2 * view of the player;
//   3. every 10th step, chunk balancing in the order chunks became known;
//   4. the observation's night-time noise: when daylight < 0.5 the original
//      draws a (view*unit) x (local_rows*unit) array of uniform(32, 127) from
//      the world's generator while rendering; the game skips as many draws
//      (NumpyRandomState::discard), so the stream stays the original's
//      whatever observation is written (our image draws its own noise);
//   5. the reward: the change of health / 10, +1 when an achievement is
//      unlocked for the first time this episode; dead = health <= 0;
//      over = length > 0 and step >= length.
#pragma once

#include <cstdint>
#include <vector>

#include "envs/crafter/crafter_world.h"
#include "envs/crafter/crafter_worldgen.h"

namespace disco::crafter {

struct GameSettings {
  int area = 64;       // the world is area x area cells
  int view = 9;        // the view is view x view cells (local view + inventory rows)
  int size = 64;       // the image is size x size pixels
  int length = 10000;  // steps before the episode is over; 0: no limit

  // Derived layout of the original's renderer.
  int item_rows() const { return (kNumItems + view - 1) / view; }
  int local_rows() const { return view - item_rows(); }
  int unit() const { return size / view; }
  // Pixels of the local view (the night noise's shape): width x height.
  int noise_width() const { return view * unit(); }
  int noise_height() const { return local_rows() * unit(); }
  // Objects within this L1 distance of the player update (2 * max(view)).
  int update_reach() const { return 2 * view; }
};

struct GameStep {
  double reward = 0;  // the original's info['reward'] (reward on)
  bool dead = false;
  bool over = false;
};

class Game {
 public:
  explicit Game(const GameSettings& settings);

  const GameSettings& settings() const { return settings_; }

  // The original's Env.reset() after the episode's world seed is chosen.
  void reset(uint32_t world_seed);
  GameStep step(Action action);

  const World& world() const { return world_; }
  World& world() { return world_; }
  const PlayerState& player() const { return world_.player; }
  const Object& player_object() const { return world_.object(World::kPlayerSlot); }
  int step_count() const { return step_; }
  double daylight() const { return world_.daylight; }
  // Bit a is set when achievement a was unlocked in this episode.
  uint32_t unlocked() const { return unlocked_; }

  // The first step of this episode on which chunk balancing chose which of
  // two or more creatures of a class to despawn (-1: none yet): from there
  // on the unmodified original, whose choice follows memory addresses, can
  // differ from this world. A diagnostic for traces; not part of the state.
  int first_despawn_choice_step() const { return first_despawn_choice_step_; }

  // Raw state for save/load (crafter.cc).
  void set_counters(int step, int32_t last_health, uint32_t unlocked);
  int32_t last_health() const { return last_health_; }
  // Recomputes daylight from the step counter.
  void update_time();

 private:
  void balance_chunk(int chunk);
  void balance_object(int chunk, ObjectKind kind, Material material, int spawn_dist,
                      int despawn_dist, double spawn_prob, double despawn_prob, double min_target,
                      double max_target);

  GameSettings settings_;
  World world_;
  int step_ = 0;
  int32_t last_health_ = 0;
  uint32_t unlocked_ = 0;
  int first_despawn_choice_step_ = -1;
  std::vector<int32_t> creatures_;  // scratch: one class's objects in a chunk
};

}  // namespace disco::crafter
