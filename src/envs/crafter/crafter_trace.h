// Traces of Crafter episodes in the layout of the golden file
// ../shared/golden/crafter_traces.json (its README, "Crafter golden traces"):
// the world at reset, every step's action, reward, end, player and objects,
// the final map and the world of the episode after. `replay_trace` makes one
// from this implementation, for the conformance test and for
// `disco crafter-replay`; crafter_trace_json.h converts to and from JSON.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "envs/crafter/crafter_world.h"

namespace disco::crafter {

struct TraceObject {
  ObjectKind kind = ObjectKind::kPlayer;
  int x = 0;
  int y = 0;
  int health = 0;  // the player's: its inventory's health
  bool operator==(const TraceObject& o) const {
    return kind == o.kind && x == o.x && y == o.y && health == o.health;
  }
};

struct TraceStep {
  int action = 0;
  bool recorded = true;  // false: a file's step that lists its action only
  double reward = 0;
  bool done = false;
  int pos_x = 0, pos_y = 0;
  int facing_x = 0, facing_y = 0;
  bool sleeping = false;
  std::array<int32_t, kNumItems> inventory{};  // data.yaml item order
  uint32_t achievements = 0;                   // bit a: achievement a unlocked so far
  std::vector<TraceObject> objects;            // world order
  uint32_t mat_crc32 = 0;
};

struct Trace {
  int64_t seed = 0;
  std::string policy;                // "random" or "mostly_noop"
  std::vector<uint8_t> mat_map;      // at reset, x-major (area * area)
  std::vector<TraceObject> objects;  // at reset, world order
  std::vector<TraceStep> steps;
  int exact_until = -1;  // last step before the first despawn choice among >= 2
  std::vector<uint8_t> final_mat_map;
  std::vector<uint8_t> episode2_mat_map;
  std::vector<TraceObject> episode2_objects;
};

// The golden traces' policies: actions from RandomState(10000 + seed);
// "random": randint(0, 17) per step; "mostly_noop": that draw, then 0 if
// uniform() < 0.8. Throws std::invalid_argument for another name.
class TracePolicy {
 public:
  TracePolicy(int64_t seed, const std::string& policy);
  int next();

 private:
  bool mostly_noop_ = false;
  NumpyRandomState random_;
};

// Episode 1 of the original's Env(seed=seed) with default settings: the
// given actions (all of them, or up to the episode's end), or, when
// `actions` is empty, the policy's (TracePolicy) until the episode ends or
// `max_steps` steps; then a second reset (episode 2). `policy` is only a
// label when actions are given.
Trace replay_trace(int64_t seed, const std::string& policy, const std::vector<int>& actions,
                   int max_steps);

// Where `got` first differs from `want`, in words ("step 12: objects[5] is
// zombie (3, 4) health 5, expected ..."), or "" if it does not. Rewards are
// compared to 1e-6 (the golden file rounds them); a trace without recorded
// steps (actions only) is compared on its world at reset and after alone.
std::string first_difference(const Trace& want, const Trace& got);

// zlib's CRC-32 (the IEEE polynomial, reflected).
uint32_t crc32(const uint8_t* data, size_t size);
std::vector<TraceObject> trace_objects(const World& world);

}  // namespace disco::crafter
