#include "envs/crafter/crafter_trace.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>

#include "envs/crafter/crafter.h"

namespace disco::crafter {

TracePolicy::TracePolicy(int64_t seed, const std::string& policy)
    : random_(static_cast<uint32_t>(10000 + seed)) {
  if (policy == "mostly_noop") {
    mostly_noop_ = true;
  } else if (policy != "random") {
    throw std::invalid_argument("crafter trace: unknown policy '" + policy +
                                "' (known: random, mostly_noop)");
  }
  if (10000 + seed < 0 || 10000 + seed > 0xffffffffll) {
    throw std::invalid_argument("crafter trace: seed " + std::to_string(seed) +
                                " gives no RandomState(10000 + seed)");
  }
}

int TracePolicy::next() {
  int a = static_cast<int>(random_.randint(0, kNumActions));
  if (mostly_noop_ && random_.uniform() < 0.8) a = 0;
  return a;
}

uint32_t crc32(const uint8_t* data, size_t size) {
  static const auto table = [] {
    std::array<uint32_t, 256> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  uint32_t c = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) c = table[(c ^ data[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::vector<TraceObject> trace_objects(const World& world) {
  std::vector<TraceObject> out;
  for (int s = 0; s < world.num_slots(); ++s) {
    const Object& o = world.object(s);
    if (o.removed) continue;
    const int health = o.kind == ObjectKind::kPlayer ? world.player.health() : o.health;
    out.push_back({o.kind, o.x, o.y, health});
  }
  return out;
}

Trace replay_trace(int64_t seed, const std::string& policy, const std::vector<int>& actions,
                   int max_steps) {
  // The policy draws only when no actions are given (any name is fine then).
  std::unique_ptr<TracePolicy> draw;
  if (actions.empty()) draw = std::make_unique<TracePolicy>(seed, policy);
  Crafter env{CrafterSettings{}};
  Trace t;
  t.seed = seed;
  t.policy = policy;
  env.reset_episode(seed, 1);
  const Game& game = env.game();
  t.mat_map = game.world().materials();
  t.objects = trace_objects(game.world());
  const size_t n = actions.empty() ? static_cast<size_t>(max_steps) : actions.size();
  for (size_t i = 0; i < n; ++i) {
    const int a = actions.empty() ? draw->next() : actions[i];
    if (a < 0 || a >= kNumActions) {
      throw std::invalid_argument("crafter trace: action " + std::to_string(a) + " at step " +
                                  std::to_string(i + 1) + " is outside [0, 17)");
    }
    const GameStep g = env.step_game(static_cast<Action>(a));
    TraceStep s;
    s.action = a;
    s.reward = g.reward;
    s.done = g.dead || g.over;
    const Object& self = game.player_object();
    const PlayerState& p = game.player();
    s.pos_x = self.x;
    s.pos_y = self.y;
    s.facing_x = p.facing_x;
    s.facing_y = p.facing_y;
    s.sleeping = p.sleeping;
    s.inventory = p.inventory;
    s.achievements = game.unlocked();
    s.objects = trace_objects(game.world());
    const std::vector<uint8_t>& map = game.world().materials();
    s.mat_crc32 = crc32(map.data(), map.size());
    t.steps.push_back(std::move(s));
    if (t.steps.back().done) break;
  }
  const int choice = game.first_despawn_choice_step();
  t.exact_until = choice < 0 ? static_cast<int>(t.steps.size()) : choice - 1;
  t.final_mat_map = game.world().materials();
  env.reset_episode(seed, 2);
  t.episode2_mat_map = game.world().materials();
  t.episode2_objects = trace_objects(game.world());
  return t;
}

namespace {

std::string describe(const std::vector<TraceObject>& objects, size_t i) {
  if (i >= objects.size()) return "missing";
  const TraceObject& o = objects[i];
  return std::string(object_kind_name(o.kind)) + " (" + std::to_string(o.x) + ", " +
         std::to_string(o.y) + ") health " + std::to_string(o.health);
}

std::string objects_difference(const std::vector<TraceObject>& want,
                               const std::vector<TraceObject>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    if (i < want.size() && i < got.size() && want[i] == got[i]) continue;
    return "objects[" + std::to_string(i) + "] is " + describe(got, i) + ", expected " +
           describe(want, i);
  }
  return "";
}

std::string map_difference(const std::vector<uint8_t>& want, const std::vector<uint8_t>& got) {
  if (want.size() != got.size()) {
    return "the map has " + std::to_string(got.size()) + " cells, expected " +
           std::to_string(want.size());
  }
  const int side = static_cast<int>(std::lround(std::sqrt(static_cast<double>(want.size()))));
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i] == got[i]) continue;
    return "cell (" + std::to_string(i / side) + ", " + std::to_string(i % side) + ") is " +
           material_name(static_cast<Material>(got[i])) + ", expected " +
           material_name(static_cast<Material>(want[i]));
  }
  return "";
}

}  // namespace

std::string first_difference(const Trace& want, const Trace& got) {
  if (!want.mat_map.empty()) {
    if (std::string d = map_difference(want.mat_map, got.mat_map); !d.empty()) return "reset: " + d;
  }
  if (!want.objects.empty()) {
    if (std::string d = objects_difference(want.objects, got.objects); !d.empty()) {
      return "reset: " + d;
    }
  }
  const bool recorded = !want.steps.empty() && want.steps.front().recorded;
  if (recorded) {
    for (size_t i = 0; i < std::min(want.steps.size(), got.steps.size()); ++i) {
      const TraceStep& w = want.steps[i];
      const TraceStep& g = got.steps[i];
      const std::string at = "step " + std::to_string(i + 1) + ": ";
      if (std::abs(w.reward - g.reward) > 5e-7) {
        return at + "reward " + std::to_string(g.reward) + ", expected " + std::to_string(w.reward);
      }
      if (w.done != g.done) return at + "done differs";
      if (w.pos_x != g.pos_x || w.pos_y != g.pos_y) return at + "the player's position differs";
      if (w.facing_x != g.facing_x || w.facing_y != g.facing_y) return at + "facing differs";
      if (w.sleeping != g.sleeping) return at + "sleeping differs";
      for (int k = 0; k < kNumItems; ++k) {
        if (w.inventory[k] != g.inventory[k]) {
          return at + item_name(static_cast<Item>(k)) + " " + std::to_string(g.inventory[k]) +
                 ", expected " + std::to_string(w.inventory[k]);
        }
      }
      if (w.achievements != g.achievements) return at + "achievements differ";
      if (std::string d = objects_difference(w.objects, g.objects); !d.empty()) return at + d;
      if (w.mat_crc32 != g.mat_crc32) return at + "the map's CRC-32 differs";
    }
    if (want.steps.size() != got.steps.size()) {
      return "the episode lasts " + std::to_string(got.steps.size()) + " steps, expected " +
             std::to_string(want.steps.size());
    }
  }
  if (!want.final_mat_map.empty()) {
    if (std::string d = map_difference(want.final_mat_map, got.final_mat_map); !d.empty()) {
      return "final map: " + d;
    }
  }
  if (!want.episode2_mat_map.empty()) {
    if (std::string d = map_difference(want.episode2_mat_map, got.episode2_mat_map); !d.empty()) {
      return "episode 2: " + d;
    }
  }
  if (!want.episode2_objects.empty()) {
    if (std::string d = objects_difference(want.episode2_objects, got.episode2_objects);
        !d.empty()) {
      return "episode 2: " + d;
    }
  }
  return "";
}

}  // namespace disco::crafter
