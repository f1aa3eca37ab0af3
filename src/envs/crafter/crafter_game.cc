#include "envs/crafter/crafter_game.h"

#include <cmath>
#include <cstdlib>

#include "envs/crafter/crafter_objects.h"

// Exact IEEE arithmetic (the original's doubles): no fused multiply-adds,
// whatever -march allows.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace disco::crafter {

Game::Game(const GameSettings& settings)
    : settings_(settings),
      world_(settings.area),
      creatures_(World::kChunkSize * World::kChunkSize, 0) {}

void Game::update_time() {
  // numpy: progress = (step / 300) % 1 + 0.3; 1 - abs(cos(pi * progress)) ** 3
  const double progress = std::fmod(step_ / 300.0, 1.0) + 0.3;
  world_.daylight = 1 - std::pow(std::abs(std::cos(M_PI * progress)), 3.0);
}

void Game::reset(uint32_t world_seed) {
  world_.reset(world_seed);
  step_ = 0;
  update_time();
  const int center = settings_.area / 2;
  world_.add(make_player(center, center));
  world_.player.inventory = {};
  for (Item i : {Item::kHealth, Item::kFood, Item::kDrink, Item::kEnergy}) {
    world_.player.item(i) = kItemMax;
  }
  world_.player.last_health = world_.player.health();
  last_health_ = world_.player.health();
  unlocked_ = 0;
  first_despawn_choice_step_ = -1;
  WorldGenerator::for_this_thread(settings_.area).generate(world_);
}

void Game::set_counters(int step, int32_t last_health, uint32_t unlocked) {
  step_ = step;
  last_health_ = last_health;
  unlocked_ = unlocked;
}

GameStep Game::step(Action action) {
  ++step_;
  update_time();
  world_.compact_if_sparse();
  // Objects in world order; those created during the loop wait a step.
  const int slots = world_.num_slots();
  const int reach = settings_.update_reach();
  update_player(world_, action);
  const Object& player = world_.object(World::kPlayerSlot);
  const int px = player.x;
  const int py = player.y;
  for (int s = 1; s < slots; ++s) {
    const Object& o = world_.object(s);
    if (o.removed) continue;
    if (std::abs(o.x - px) + std::abs(o.y - py) >= reach) continue;
    update_object(world_, s);
  }
  if (step_ % 10 == 0) {
    const int known = world_.num_known_chunks();
    for (int i = 0; i < known; ++i) balance_chunk(world_.known_chunk(i));
  }
  if (world_.daylight < 0.5) {
    // The original's uniform(32, 127, (w, h)) while rendering: two 32-bit
    // outputs per value.
    world_.random().discard(2 * static_cast<uint64_t>(settings_.noise_width()) *
                            settings_.noise_height());
  }

  GameStep out;
  const int32_t health = world_.player.health();
  out.reward = static_cast<double>(health - last_health_) / 10;
  last_health_ = health;
  uint32_t now = 0;
  for (int a = 0; a < kNumAchievements; ++a) {
    if (world_.player.achievements[a] > 0) now |= uint32_t{1} << a;
  }
  if (now & ~unlocked_) {
    unlocked_ |= now;
    out.reward += 1.0;
  }
  out.dead = health <= 0;
  out.over = settings_.length > 0 && step_ >= settings_.length;
  return out;
}

void Game::balance_chunk(int chunk) {
  const double light = world_.daylight;
  const int grass = world_.chunk_material_count(chunk, Material::kGrass);
  const int path = world_.chunk_material_count(chunk, Material::kPath);
  balance_object(chunk, ObjectKind::kZombie, Material::kGrass, 6, 0, 0.3, 0.4,
                 grass < 50 ? 0 : 3.5 - 3 * light, 3.5 - 3 * light);
  balance_object(chunk, ObjectKind::kSkeleton, Material::kPath, 7, 7, 0.1, 0.1, path < 6 ? 0 : 1,
                 2);
  balance_object(chunk, ObjectKind::kCow, Material::kGrass, 5, 5, 0.01, 0.1, grass < 30 ? 0 : 1,
                 1.5 + light);
}

void Game::balance_object(int chunk, ObjectKind kind, Material material, int spawn_dist,
                          int despawn_dist, double spawn_prob, double despawn_prob,
                          double min_target, double max_target) {
  NumpyRandomState& random = world_.random();
  int n = 0;
  for (int i = 0; i < world_.chunk_size(chunk); ++i) {
    const int s = world_.chunk_member(chunk, i);
    if (world_.object(s).kind == kind) creatures_[n++] = s;
  }
  const Object& player = world_.object(World::kPlayerSlot);
  if (n < static_cast<int>(min_target) && random.uniform() < spawn_prob) {
    // The R(count)-th cell of the material, cells listed x-major.
    const int count = world_.chunk_material_count(chunk, material);
    int pick = static_cast<int>(random.randint(0, count));
    int xmin, xmax, ymin, ymax;
    world_.chunk_bounds(chunk, &xmin, &xmax, &ymin, &ymax);
    for (int x = xmin; x < xmax; ++x) {
      for (int y = ymin; y < ymax; ++y) {
        if (world_.material(x, y) != material || pick-- > 0) continue;
        const bool empty = world_.object_at(x, y) == World::kNoObject;
        const bool away = std::abs(x - player.x) + std::abs(y - player.y) >= spawn_dist;
        if (empty && away) {
          switch (kind) {
            case ObjectKind::kZombie:
              world_.add(make_zombie(x, y));
              break;
            case ObjectKind::kSkeleton:
              world_.add(make_skeleton(x, y));
              break;
            default:
              world_.add(make_cow(x, y));
              break;
          }
        }
        return;
      }
    }
  } else if (n > static_cast<int>(max_target) && random.uniform() < despawn_prob) {
    if (n >= 2 && first_despawn_choice_step_ < 0) first_despawn_choice_step_ = step_;
    const int s = creatures_[random.randint(0, n)];
    const Object& o = world_.object(s);
    if (std::abs(o.x - player.x) + std::abs(o.y - player.y) >= despawn_dist) world_.remove(s);
  }
}

}  // namespace disco::crafter
