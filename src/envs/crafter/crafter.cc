#include "envs/crafter/crafter.h"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "envs/crafter/crafter_objects.h"
#include "envs/crafter/python_hash.h"
#include "envs/registry.h"

namespace disco {

using crafter::Action;
using crafter::Game;
using crafter::GameSettings;
using crafter::Item;
using crafter::Material;
using crafter::Object;
using crafter::ObjectKind;
using crafter::World;

namespace {

GameSettings game_settings(const CrafterSettings& s) {
  GameSettings g;
  g.area = s.area;
  g.view = s.view;
  g.size = s.size;
  g.length = s.length;
  return g;
}

const CrafterSettings& checked(const CrafterSettings& s) {
  s.check();
  return s;
}

[[noreturn]] void bad(const std::string& what) { throw std::invalid_argument("crafter: " + what); }

}  // namespace

CrafterSettings CrafterSettings::from(EnvParams& p) {
  CrafterSettings s;
  s.area = p.get_int("area", s.area);
  s.view = p.get_int("view", s.view);
  s.size = p.get_int("size", s.size);
  s.length = p.get_int("length", s.length);
  s.reward = p.get_bool("reward", s.reward);
  const std::string obs = p.get_string("obs", "symbolic");
  if (obs == "symbolic") {
    s.obs = Observation::kSymbolic;
  } else if (obs == "image") {
    s.obs = Observation::kImage;
  } else {
    bad("obs must be 'symbolic' or 'image', got '" + obs + "'");
  }
  s.seed = p.get_int("seed", s.seed);
  s.check();
  return s;
}

void CrafterSettings::check() const {
  if (area < World::kMinArea || area > World::kMaxArea) {
    bad("area must be in [" + std::to_string(World::kMinArea) + ", " +
        std::to_string(World::kMaxArea) + "], got " + std::to_string(area));
  }
  if (view < 5 || view > 64) bad("view must be in [5, 64], got " + std::to_string(view));
  if (size < view || size > 1024) {
    bad("size must be in [view, 1024] = [" + std::to_string(view) + ", 1024], got " +
        std::to_string(size));
  }
  if (length < 0) bad("length must be >= 0 (0: no limit), got " + std::to_string(length));
  if (seed < -1) bad("seed must be >= 0, or -1 to draw world seeds, got " + std::to_string(seed));
}

Crafter::Crafter(const CrafterSettings& settings)
    : settings_(checked(settings)),
      game_(game_settings(settings)),
      renderer_(game_settings(settings)) {
  const bool image = settings.obs == CrafterSettings::Observation::kImage;
  spec_.name =
      "crafter(area=" + std::to_string(settings.area) +
      ",length=" + std::to_string(settings.length) + ",obs=" + (image ? "image" : "symbolic") +
      ",reward=" + (settings.reward ? "true" : "false") + ",seed=" + std::to_string(settings.seed) +
      ",size=" + std::to_string(settings.size) + ",view=" + std::to_string(settings.view) + ")";
  if (image) {
    spec_.observation_shape = {settings.size, settings.size, 3};
  } else {
    spec_.observation_shape = {crafter::symbolic_size(game_.settings())};
  }
  spec_.num_actions = crafter::kNumActions;
  spec_.max_episode_steps = settings.length;
  // Health moves by at most 9 in a step, and at most +1 by regeneration;
  // unlocking adds 1.
  spec_.min_reward = settings.reward ? -0.9f : 0.f;
  spec_.max_reward = settings.reward ? 1.1f : 0.f;
  spec_.min_observation = 0.f;
  spec_.max_observation = 1.f;
}

void Crafter::reset(Rng& rng) {
  if (settings_.seed >= 0) {
    reset_episode(settings_.seed, episode_ + 1);
  } else {
    reset_world(static_cast<uint32_t>(rng.uniform_int(2147483647)));  // [0, 2^31 - 1)
  }
}

void Crafter::reset_episode(int64_t env_seed, int64_t episode) {
  episode_ = episode;
  game_.reset(crafter::crafter_world_seed(env_seed, episode));
}

void Crafter::reset_world(uint32_t world_seed) {
  ++episode_;
  game_.reset(world_seed);
}

crafter::GameStep Crafter::step_game(Action action) { return game_.step(action); }

StepOutcome Crafter::step(int action, Rng& /*rng*/) {
  if (action < 0 || action >= crafter::kNumActions) {
    bad("action " + std::to_string(action) + " outside [0, " +
        std::to_string(crafter::kNumActions) + ")");
  }
  const crafter::GameStep g = game_.step(static_cast<Action>(action));
  StepOutcome out;
  out.reward = settings_.reward ? static_cast<float>(g.reward) : 0.f;
  out.terminal = g.dead;
  out.truncated = !g.dead && g.over;
  return out;
}

void Crafter::observe(float* out) const {
  if (settings_.obs == CrafterSettings::Observation::kImage) {
    renderer_.render(game_, out);
  } else {
    crafter::write_symbolic(game_, out);
  }
}

// --- save / load -------------------------------------------------------------

namespace {

void put_object(StateWriter& out, const Object& o) {
  out.put<uint8_t>(static_cast<uint8_t>(o.kind));
  out.put<int8_t>(o.facing_x);
  out.put<int8_t>(o.facing_y);
  out.put<int16_t>(o.x);
  out.put<int16_t>(o.y);
  out.put<int32_t>(o.health);
  out.put<int32_t>(o.counter);
}

Object get_object(StateReader& in) {
  Object o;
  const uint8_t kind = in.get<uint8_t>();
  if (kind >= crafter::kNumObjectKinds) bad("saved state has an unknown object kind");
  o.kind = static_cast<ObjectKind>(kind);
  o.facing_x = in.get<int8_t>();
  o.facing_y = in.get<int8_t>();
  o.x = in.get<int16_t>();
  o.y = in.get<int16_t>();
  o.health = in.get<int32_t>();
  o.counter = in.get<int32_t>();
  return o;
}

}  // namespace

void Crafter::save(StateWriter& out) const {
  const World& world = game_.world();
  out.put<int64_t>(episode_);
  out.put<int32_t>(game_.step_count());
  out.put<int32_t>(game_.last_health());
  out.put<uint32_t>(game_.unlocked());
  const auto& random = world.random().state();
  out.put(random.key);
  out.put<int32_t>(random.pos);
  out.put_vector(world.materials());
  // Objects in world order (holes dropped), chunk members by that order.
  std::vector<int32_t> rank(world.num_slots(), -1);
  int live = 0;
  for (int s = 0; s < world.num_slots(); ++s) {
    if (!world.object(s).removed) rank[s] = live++;
  }
  out.put<int32_t>(live);
  for (int s = 0; s < world.num_slots(); ++s) {
    if (!world.object(s).removed) put_object(out, world.object(s));
  }
  out.put<int32_t>(world.num_known_chunks());
  for (int i = 0; i < world.num_known_chunks(); ++i) {
    const int c = world.known_chunk(i);
    out.put<int16_t>(static_cast<int16_t>(c));
    out.put<int16_t>(static_cast<int16_t>(world.chunk_size(c)));
    for (int k = 0; k < world.chunk_size(c); ++k) out.put<int32_t>(rank[world.chunk_member(c, k)]);
  }
  const crafter::PlayerState& p = world.player;
  out.put(p.inventory);
  out.put(p.achievements);
  out.put<int32_t>(p.facing_x);
  out.put<int32_t>(p.facing_y);
  out.put<uint8_t>(p.sleeping ? 1 : 0);
  out.put<int32_t>(p.last_health);
  out.put<double>(p.hunger);
  out.put<double>(p.thirst);
  out.put<double>(p.fatigue);
  out.put<double>(p.recover);
}

void Crafter::load(StateReader& in) {
  const int64_t episode = in.get<int64_t>();
  const int32_t step = in.get<int32_t>();
  const int32_t last_health = in.get<int32_t>();
  const uint32_t unlocked = in.get<uint32_t>();
  crafter::NumpyRandomState::State random;
  random.key = in.get<decltype(random.key)>();
  random.pos = in.get<int32_t>();
  const std::vector<uint8_t> materials = in.get_vector<uint8_t>();
  const int32_t live = in.get<int32_t>();
  World& world = game_.world();
  if (live < 1 || live > world.cells()) bad("saved state has " + std::to_string(live) + " objects");
  std::vector<Object> objects;
  objects.reserve(live);
  for (int i = 0; i < live; ++i) objects.push_back(get_object(in));
  const int32_t known = in.get<int32_t>();
  const int chunks = world.chunks_per_side() * world.chunks_per_side();
  if (known < 0 || known > chunks) bad("saved state has a bad chunk count");
  std::vector<int16_t> order(known);
  std::vector<std::vector<int32_t>> members(known);
  for (int i = 0; i < known; ++i) {
    order[i] = in.get<int16_t>();
    const int16_t n = in.get<int16_t>();
    if (n < 0 || n > World::kChunkSize * World::kChunkSize) bad("saved state has a bad chunk");
    members[i].resize(n);
    for (int32_t& m : members[i]) m = in.get<int32_t>();
  }
  crafter::PlayerState p;
  p.inventory = in.get<decltype(p.inventory)>();
  p.achievements = in.get<decltype(p.achievements)>();
  p.facing_x = in.get<int32_t>();
  p.facing_y = in.get<int32_t>();
  p.sleeping = in.get<uint8_t>() != 0;
  p.last_health = in.get<int32_t>();
  p.hunger = in.get<double>();
  p.thirst = in.get<double>();
  p.fatigue = in.get<double>();
  p.recover = in.get<double>();
  // Ranges the game can reach (and that keep every counter far from overflow).
  constexpr int32_t kCounterLimit = 1 << 30;
  if (step < 0 || step >= kCounterLimit || episode < 0 || episode >= (int64_t{1} << 62)) {
    bad("saved state has counters out of range");
  }
  if (last_health < 0 || last_health > crafter::kItemMax || p.last_health < 0 ||
      p.last_health > crafter::kItemMax) {
    bad("saved state has a health out of range");
  }
  for (int32_t v : p.achievements) {
    if (v < 0 || v >= kCounterLimit) bad("saved state has an achievement count out of range");
  }
  for (double v : {p.hunger, p.thirst, p.fatigue, p.recover}) {
    if (!(std::abs(v) <= 1000)) bad("saved state has a life counter out of range");
  }
  for (size_t s = 0; s < objects.size(); ++s) {
    const Object& o = objects[s];
    if ((o.kind == ObjectKind::kPlayer) != (s == 0)) bad("saved state has a misplaced player");
    if (o.health < 0 || o.health > 100 || o.counter < 0 || o.counter >= kCounterLimit) {
      bad("saved state has an object's health or counter out of range");
    }
    if (o.kind == ObjectKind::kArrow && std::abs(o.facing_x) + std::abs(o.facing_y) != 1) {
      bad("saved state has an arrow without a direction");
    }
  }
  if (std::abs(p.facing_x) + std::abs(p.facing_y) != 1) bad("saved state has a bad facing");
  for (int32_t v : p.inventory) {
    if (v < 0 || v > crafter::kItemMax) bad("saved state has an inventory count out of range");
  }
  if (unlocked >> crafter::kNumAchievements) bad("saved state has unknown achievements");

  // Everything read: apply (restore() and set_all_materials() check the rest).
  world.set_all_materials(materials);
  world.restore(objects, order, members);
  world.random().set_state(random);
  world.player = p;
  game_.set_counters(step, last_health, unlocked);
  game_.update_time();
  episode_ = episode;
}

// --- for people ----------------------------------------------------------------

std::vector<std::string> Crafter::action_names() const {
  std::vector<std::string> names;
  for (int a = 0; a < crafter::kNumActions; ++a) {
    names.push_back(crafter::action_name(static_cast<Action>(a)));
  }
  return names;
}

std::vector<std::string> Crafter::achievement_names() const {
  std::vector<std::string> names;
  for (int a = 0; a < crafter::kNumAchievements; ++a) {
    names.push_back(crafter::achievement_name(static_cast<crafter::Achievement>(a)));
  }
  return names;
}

std::string Crafter::render() const {
  // The agent's local view, one character per cell.
  static constexpr char kMaterialChars[crafter::kNumMaterials] = {' ', '~', '.', '#', '_', ':', 'T',
                                                                  '%', 'c', 'i', 'D', 't', 'f'};
  const World& world = game_.world();
  const GameSettings& s = game_.settings();
  const Object& self = game_.player_object();
  const crafter::PlayerState& p = game_.player();
  const int rows = s.local_rows();
  std::string out;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < s.view; ++c) {
      const int x = self.x + c - s.view / 2;
      const int y = self.y + r - rows / 2;
      char ch = world.inside(x, y) ? kMaterialChars[static_cast<int>(world.material(x, y))] : ' ';
      const int slot = world.object_at(x, y);
      if (slot != World::kNoObject) {
        const Object& o = world.object(slot);
        switch (o.kind) {
          case ObjectKind::kPlayer:
            ch = p.sleeping       ? 'z'
                 : p.facing_x < 0 ? '<'
                 : p.facing_x > 0 ? '>'
                 : p.facing_y < 0 ? '^'
                                  : 'v';
            break;
          case ObjectKind::kCow:
            ch = 'C';
            break;
          case ObjectKind::kZombie:
            ch = 'Z';
            break;
          case ObjectKind::kSkeleton:
            ch = 'S';
            break;
          case ObjectKind::kArrow:
            ch = '*';
            break;
          case ObjectKind::kPlant:
            ch = crafter::plant_ripe(o) ? 'P' : 'p';
            break;
        }
      }
      out += ch;
    }
    out += '\n';
  }
  char line[160];
  std::snprintf(line, sizeof(line),
                "step %d  daylight %.2f  health %d food %d drink %d energy %d%s\n",
                game_.step_count(), game_.daylight(), p.item(Item::kHealth), p.item(Item::kFood),
                p.item(Item::kDrink), p.item(Item::kEnergy), p.sleeping ? "  (sleeping)" : "");
  out += line;
  std::string items;
  for (int i = static_cast<int>(Item::kSapling); i < crafter::kNumItems; ++i) {
    if (p.inventory[i] > 0) {
      items += std::string(items.empty() ? "" : ", ") + crafter::item_name(static_cast<Item>(i)) +
               " " + std::to_string(p.inventory[i]);
    }
  }
  out += "inventory: " + (items.empty() ? std::string("-") : items) + "\n";
  std::string unlocked;
  for (int a = 0; a < crafter::kNumAchievements; ++a) {
    if (game_.unlocked() >> a & 1) {
      unlocked += std::string(unlocked.empty() ? "" : ", ") +
                  crafter::achievement_name(static_cast<crafter::Achievement>(a));
    }
  }
  out += "achievements: " + (unlocked.empty() ? std::string("-") : unlocked) + "\n";
  out +=
      "legend: . grass ~ water # stone _ path : sand T tree % lava c coal i iron D diamond\n"
      "        t table f furnace C cow Z zombie S skeleton * arrow p/P plant (ripe) <>^v you\n";
  return out;
}

EnvEntry crafter_env_entry() {
  return {"crafter",
          "Crafter (danijar/crafter): survive and unlock 22 achievements in an open 2-D world.",
          {{"area", "int", "64", "the world is area x area cells"},
           {"view", "int", "9", "the view is view x view cells (local view and inventory)"},
           {"size", "int", "64", "image side in pixels"},
           {"length", "int", "10000", "steps before the episode is cut; 0: never"},
           {"reward", "bool", "true", "false: every reward is 0"},
           {"obs", "string", "symbolic", "symbolic (Craftax-Classic, 1345 floats) or image"},
           {"seed", "int", "-1", ">= 0: the original's Env(seed); -1: world seeds from the Rng"}},
          [](EnvParams& p) { return std::make_unique<Crafter>(CrafterSettings::from(p)); }};
}

}  // namespace disco
