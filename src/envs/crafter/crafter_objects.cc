#include "envs/crafter/crafter_objects.h"

#include <algorithm>
#include <cstdlib>

namespace disco::crafter {

namespace {

// Where each kind may step: creatures on grass, sand and path; the player
// also onto lava; arrows also over water and lava.
bool creature_walkable(Material m) {
  return m == Material::kGrass || m == Material::kSand || m == Material::kPath;
}
bool player_walkable(Material m) { return creature_walkable(m) || m == Material::kLava; }
bool arrow_walkable(Material m) {
  return creature_walkable(m) || m == Material::kWater || m == Material::kLava;
}

using Walkable = bool (*)(Material);

// The original's Object.is_free: inside the map, no object, a walkable material.
bool is_free(const World& world, int x, int y, Walkable walkable) {
  return world.object_at(x, y) == World::kNoObject && walkable(world.material(x, y));
}

// Object.move: true when the target was free, even if the object is already
// removed (then World.move does nothing), as in the original.
bool move_by(World& world, int slot, int dx, int dy, Walkable walkable) {
  const Object& o = world.object(slot);
  const int x = o.x + dx;
  const int y = o.y + dy;
  if (!is_free(world, x, y, walkable)) return false;
  world.move(slot, x, y);
  return true;
}

int sign(int v) { return (v > 0) - (v < 0); }

struct Dir {
  int x, y;
};

// left, right, up, down: Object.all_dirs.
constexpr Dir kAllDirs[4] = {{-1, 0}, {+1, 0}, {0, -1}, {0, +1}};

Dir random_dir(World& world) { return kAllDirs[world.random().randint(0, 4)]; }

// Object.toward: along the longer axis of the offset (or the shorter one).
Dir toward(const Object& o, int tx, int ty, bool long_axis) {
  const int ox = tx - o.x;
  const int oy = ty - o.y;
  const bool along_x = long_axis ? std::abs(ox) > std::abs(oy) : std::abs(ox) <= std::abs(oy);
  return along_x ? Dir{sign(ox), 0} : Dir{0, sign(oy)};
}

int distance(const Object& o, int x, int y) { return std::abs(x - o.x) + std::abs(y - o.y); }

const Object& player_object(const World& world) { return world.object(World::kPlayerSlot); }

// `obj.health -= amount` through the original's setter (never below 0); the
// player's health is its inventory's.
void hurt(World& world, int slot, int amount) {
  if (slot == World::kPlayerSlot) {
    world.player.set_health(world.player.health() - amount);
  } else {
    Object& o = world.object(slot);
    o.health = std::max(0, o.health - amount);
  }
}

void achieve(PlayerState& p, Achievement a) { ++p.achievements[static_cast<int>(a)]; }

// --- the player ---------------------------------------------------------

void player_move(World& world, int dx, int dy) {
  PlayerState& p = world.player;
  p.facing_x = dx;
  p.facing_y = dy;
  move_by(world, World::kPlayerSlot, dx, dy, player_walkable);
  const Object& self = player_object(world);
  if (world.material(self.x, self.y) == Material::kLava) p.set_health(0);
}

void player_do_object(World& world, int slot) {
  PlayerState& p = world.player;
  int damage = 1;
  if (p.item(Item::kWoodSword)) damage = std::max(damage, 2);
  if (p.item(Item::kStoneSword)) damage = std::max(damage, 3);
  if (p.item(Item::kIronSword)) damage = std::max(damage, 5);
  Object& obj = world.object(slot);
  switch (obj.kind) {
    case ObjectKind::kPlant:
      if (plant_ripe(obj)) {
        obj.counter = 0;
        p.item(Item::kFood) += 4;
        achieve(p, Achievement::kEatPlant);
      }
      break;
    case ObjectKind::kZombie:
      hurt(world, slot, damage);
      if (obj.health <= 0) achieve(p, Achievement::kDefeatZombie);
      break;
    case ObjectKind::kSkeleton:
      hurt(world, slot, damage);
      if (obj.health <= 0) achieve(p, Achievement::kDefeatSkeleton);
      break;
    case ObjectKind::kCow:
      hurt(world, slot, damage);
      if (obj.health <= 0) {
        p.item(Item::kFood) += 6;
        achieve(p, Achievement::kEatCow);
        p.hunger = 0;
      }
      break;
    default:  // arrows (and the player itself) take no blow
      break;
  }
}

// data.yaml `collect`: what a material needs, gives and leaves behind.
struct CollectRule {
  Item requires;  // a tool the player must own (kHealth: none)
  Item gives;
  Achievement achievement;
  Material leaves;
  double probability;
};

bool collect_rule(Material m, CollectRule* rule) {
  switch (m) {
    case Material::kTree:
      *rule = {Item::kHealth, Item::kWood, Achievement::kCollectWood, Material::kGrass, 1};
      return true;
    case Material::kStone:
      *rule = {Item::kWoodPickaxe, Item::kStone, Achievement::kCollectStone, Material::kPath, 1};
      return true;
    case Material::kCoal:
      *rule = {Item::kWoodPickaxe, Item::kCoal, Achievement::kCollectCoal, Material::kPath, 1};
      return true;
    case Material::kIron:
      *rule = {Item::kStonePickaxe, Item::kIron, Achievement::kCollectIron, Material::kPath, 1};
      return true;
    case Material::kDiamond:
      *rule = {Item::kIronPickaxe, Item::kDiamond, Achievement::kCollectDiamond, Material::kPath,
               1};
      return true;
    case Material::kWater:
      *rule = {Item::kHealth, Item::kDrink, Achievement::kCollectDrink, Material::kWater, 1};
      return true;
    case Material::kGrass:
      *rule = {Item::kHealth, Item::kSapling, Achievement::kCollectSapling, Material::kGrass, 0.1};
      return true;
    default:
      return false;
  }
}

void player_do_material(World& world, int x, int y, Material material) {
  PlayerState& p = world.player;
  if (material == Material::kWater) p.thirst = 0;
  CollectRule rule;
  if (!collect_rule(material, &rule)) return;
  if (rule.requires != Item::kHealth && p.item(rule.requires) < 1) return;
  world.set_material(x, y, rule.leaves);
  // One draw always, the item only when it is <= the probability.
  if (world.random().uniform() <= rule.probability) {
    p.item(rule.gives) += 1;
    achieve(p, rule.achievement);
  }
}

void player_place(World& world, Action action, int x, int y, Material material) {
  PlayerState& p = world.player;
  if (world.object_at(x, y) != World::kNoObject) return;
  const bool on_land =
      material == Material::kGrass || material == Material::kSand || material == Material::kPath;
  switch (action) {
    case Action::kPlaceStone:
      if (!(on_land || material == Material::kWater || material == Material::kLava)) return;
      if (p.item(Item::kStone) < 1) return;
      p.item(Item::kStone) -= 1;
      world.set_material(x, y, Material::kStone);
      achieve(p, Achievement::kPlaceStone);
      break;
    case Action::kPlaceTable:
      if (!on_land || p.item(Item::kWood) < 2) return;
      p.item(Item::kWood) -= 2;
      world.set_material(x, y, Material::kTable);
      achieve(p, Achievement::kPlaceTable);
      break;
    case Action::kPlaceFurnace:
      if (!on_land || p.item(Item::kStone) < 4) return;
      p.item(Item::kStone) -= 4;
      world.set_material(x, y, Material::kFurnace);
      achieve(p, Achievement::kPlaceFurnace);
      break;
    case Action::kPlacePlant:
      if (material != Material::kGrass || p.item(Item::kSapling) < 1) return;
      p.item(Item::kSapling) -= 1;
      world.add(make_plant(x, y));
      achieve(p, Achievement::kPlacePlant);
      break;
    default:
      break;
  }
}

// World.nearby(pos, 1): the materials of the 3x3 square around the player,
// as the numpy slice [x-1:x+2, y-1:y+2] sees it (empty on the left and top
// borders, where x-1 or y-1 is -1).
void nearby_stations(const World& world, int x, int y, bool* table, bool* furnace) {
  *table = *furnace = false;
  if (x < 1 || y < 1) return;
  const int x_end = std::min(x + 2, world.area());
  const int y_end = std::min(y + 2, world.area());
  for (int i = x - 1; i < x_end; ++i) {
    for (int j = y - 1; j < y_end; ++j) {
      const Material m = world.material(i, j);
      *table |= m == Material::kTable;
      *furnace |= m == Material::kFurnace;
    }
  }
}

void player_make(World& world, Action action) {
  PlayerState& p = world.player;
  const Object& self = player_object(world);
  bool table, furnace;
  nearby_stations(world, self.x, self.y, &table, &furnace);
  Item tool;
  Achievement achievement;
  bool iron = false, stone = false;
  switch (action) {
    case Action::kMakeWoodPickaxe:
      tool = Item::kWoodPickaxe, achievement = Achievement::kMakeWoodPickaxe;
      break;
    case Action::kMakeStonePickaxe:
      tool = Item::kStonePickaxe, achievement = Achievement::kMakeStonePickaxe, stone = true;
      break;
    case Action::kMakeIronPickaxe:
      tool = Item::kIronPickaxe, achievement = Achievement::kMakeIronPickaxe, iron = true;
      break;
    case Action::kMakeWoodSword:
      tool = Item::kWoodSword, achievement = Achievement::kMakeWoodSword;
      break;
    case Action::kMakeStoneSword:
      tool = Item::kStoneSword, achievement = Achievement::kMakeStoneSword, stone = true;
      break;
    case Action::kMakeIronSword:
      tool = Item::kIronSword, achievement = Achievement::kMakeIronSword, iron = true;
      break;
    default:
      return;
  }
  if (!table || (iron && !furnace)) return;
  if (p.item(Item::kWood) < 1) return;
  if (stone && p.item(Item::kStone) < 1) return;
  if (iron && (p.item(Item::kCoal) < 1 || p.item(Item::kIron) < 1)) return;
  p.item(Item::kWood) -= 1;
  if (stone) p.item(Item::kStone) -= 1;
  if (iron) {
    p.item(Item::kCoal) -= 1;
    p.item(Item::kIron) -= 1;
  }
  p.item(tool) += 1;
  achieve(p, achievement);
}

void player_life_stats(PlayerState& p) {
  p.hunger += p.sleeping ? 0.5 : 1;
  if (p.hunger > 25) {
    p.hunger = 0;
    p.item(Item::kFood) -= 1;
  }
  p.thirst += p.sleeping ? 0.5 : 1;
  if (p.thirst > 20) {
    p.thirst = 0;
    p.item(Item::kDrink) -= 1;
  }
  if (p.sleeping) {
    p.fatigue = std::min(p.fatigue - 1, 0.0);
  } else {
    p.fatigue += 1;
  }
  if (p.fatigue < -10) {
    p.fatigue = 0;
    p.item(Item::kEnergy) += 1;
  }
  if (p.fatigue > 30) {
    p.fatigue = 0;
    p.item(Item::kEnergy) -= 1;
  }
}

void player_degen_or_regen(PlayerState& p) {
  const bool needs_met = p.item(Item::kFood) > 0 && p.item(Item::kDrink) > 0 &&
                         (p.item(Item::kEnergy) > 0 || p.sleeping);
  if (needs_met) {
    p.recover += p.sleeping ? 2 : 1;
  } else {
    p.recover -= p.sleeping ? 0.5 : 1;
  }
  if (p.recover > 25) {
    p.recover = 0;
    p.set_health(p.health() + 1);
  }
  if (p.recover < -15) {
    p.recover = 0;
    p.set_health(p.health() - 1);
  }
}

// --- creatures --------------------------------------------------------------

void update_cow(World& world, int slot) {
  if (world.object(slot).health <= 0) world.remove(slot);
  if (world.random().uniform() < 0.5) {
    const Dir d = random_dir(world);
    move_by(world, slot, d.x, d.y, creature_walkable);
  }
}

void update_zombie(World& world, int slot) {
  if (world.object(slot).health <= 0) world.remove(slot);
  NumpyRandomState& random = world.random();
  const Object& player = player_object(world);
  int dist = distance(world.object(slot), player.x, player.y);
  if (dist <= 8 && random.uniform() < 0.9) {
    const bool long_axis = random.uniform() < 0.8;
    const Dir d = toward(world.object(slot), player.x, player.y, long_axis);
    move_by(world, slot, d.x, d.y, creature_walkable);
  } else {
    const Dir d = random_dir(world);
    move_by(world, slot, d.x, d.y, creature_walkable);
  }
  Object& self = world.object(slot);
  dist = distance(self, player.x, player.y);
  if (dist <= 1) {
    if (self.counter) {
      self.counter -= 1;
    } else {
      const int damage = world.player.sleeping ? 7 : 2;
      world.player.set_health(world.player.health() - damage);
      self.counter = 5;
    }
  }
}

void update_skeleton(World& world, int slot) {
  if (world.object(slot).health <= 0) world.remove(slot);
  NumpyRandomState& random = world.random();
  const Object& player = player_object(world);
  {
    Object& self = world.object(slot);
    self.counter = std::max(0, self.counter - 1);
  }
  const int dist = distance(world.object(slot), player.x, player.y);
  if (dist <= 3) {
    const bool long_axis = random.uniform() < 0.6;
    const Dir d = toward(world.object(slot), player.x, player.y, long_axis);
    if (move_by(world, slot, -d.x, -d.y, creature_walkable)) return;
  }
  if (dist <= 5 && random.uniform() < 0.5) {
    // Shoot toward the player along the longer axis.
    const Dir d = toward(world.object(slot), player.x, player.y, true);
    Object& self = world.object(slot);
    if (self.counter > 0) return;
    if (d.x == 0 && d.y == 0) return;
    const int x = self.x + d.x;
    const int y = self.y + d.y;
    if (is_free(world, x, y, arrow_walkable)) {
      world.add(make_arrow(x, y, d.x, d.y));
      world.object(slot).counter = 4;
    }
  } else if (dist <= 8 && random.uniform() < 0.3) {
    const bool long_axis = random.uniform() < 0.6;
    const Dir d = toward(world.object(slot), player.x, player.y, long_axis);
    move_by(world, slot, d.x, d.y, creature_walkable);
  } else if (random.uniform() < 0.2) {
    const Dir d = random_dir(world);
    move_by(world, slot, d.x, d.y, creature_walkable);
  }
}

void update_arrow(World& world, int slot) {
  const Object& self = world.object(slot);
  const int fx = self.facing_x;
  const int fy = self.facing_y;
  const int x = self.x + fx;
  const int y = self.y + fy;
  const int hit = world.object_at(x, y);
  const Material material = world.material(x, y);
  if (hit != World::kNoObject) {
    hurt(world, hit, 2);
    world.remove(slot);
  } else if (!arrow_walkable(material)) {
    world.remove(slot);
    if (material == Material::kTable || material == Material::kFurnace) {
      world.set_material(x, y, Material::kPath);
    }
  } else {
    move_by(world, slot, fx, fy, arrow_walkable);
  }
}

void update_plant(World& world, int slot) {
  Object& self = world.object(slot);
  self.counter += 1;
  bool attacked = false;
  for (const Dir& d : kAllDirs) {
    const int other = world.object_at(self.x + d.x, self.y + d.y);
    if (other == World::kNoObject) continue;
    const ObjectKind k = world.object(other).kind;
    attacked |= k == ObjectKind::kZombie || k == ObjectKind::kSkeleton || k == ObjectKind::kCow;
  }
  if (attacked) self.health = std::max(0, self.health - 1);
  if (self.health <= 0) world.remove(slot);
}

Object make(ObjectKind kind, int x, int y, int health) {
  Object o;
  o.kind = kind;
  o.x = static_cast<int16_t>(x);
  o.y = static_cast<int16_t>(y);
  o.health = health;
  return o;
}

}  // namespace

Object make_player(int x, int y) { return make(ObjectKind::kPlayer, x, y, 0); }
Object make_cow(int x, int y) { return make(ObjectKind::kCow, x, y, 3); }
Object make_zombie(int x, int y) { return make(ObjectKind::kZombie, x, y, 5); }
Object make_skeleton(int x, int y) { return make(ObjectKind::kSkeleton, x, y, 3); }
Object make_plant(int x, int y) { return make(ObjectKind::kPlant, x, y, 1); }
Object make_arrow(int x, int y, int facing_x, int facing_y) {
  Object o = make(ObjectKind::kArrow, x, y, 0);
  o.facing_x = static_cast<int8_t>(facing_x);
  o.facing_y = static_cast<int8_t>(facing_y);
  return o;
}

void update_player(World& world, Action action) {
  PlayerState& p = world.player;
  const Object& self = player_object(world);
  // The facing cell is looked at before anything else happens.
  const int tx = self.x + p.facing_x;
  const int ty = self.y + p.facing_y;
  const Material material = world.material(tx, ty);
  const int target = world.object_at(tx, ty);
  if (p.sleeping) {
    if (p.item(Item::kEnergy) < kItemMax) {
      action = Action::kSleep;
    } else {
      p.sleeping = false;
      achieve(p, Achievement::kWakeUp);
    }
  }
  switch (action) {
    case Action::kNoop:
      break;
    case Action::kMoveLeft:
      player_move(world, -1, 0);
      break;
    case Action::kMoveRight:
      player_move(world, +1, 0);
      break;
    case Action::kMoveUp:
      player_move(world, 0, -1);
      break;
    case Action::kMoveDown:
      player_move(world, 0, +1);
      break;
    case Action::kDo:
      if (target != World::kNoObject) {
        player_do_object(world, target);
      } else {
        player_do_material(world, tx, ty, material);
      }
      break;
    case Action::kSleep:
      if (p.item(Item::kEnergy) < kItemMax) p.sleeping = true;
      break;
    case Action::kPlaceStone:
    case Action::kPlaceTable:
    case Action::kPlaceFurnace:
    case Action::kPlacePlant:
      player_place(world, action, tx, ty, material);
      break;
    default:
      player_make(world, action);
      break;
  }
  player_life_stats(p);
  player_degen_or_regen(p);
  for (int32_t& count : p.inventory) count = std::clamp(count, 0, kItemMax);
  // After clamping: a hurt player wakes up.
  if (p.health() < p.last_health) p.sleeping = false;
  p.last_health = p.health();
}

void update_object(World& world, int slot) {
  switch (world.object(slot).kind) {
    case ObjectKind::kCow:
      update_cow(world, slot);
      break;
    case ObjectKind::kZombie:
      update_zombie(world, slot);
      break;
    case ObjectKind::kSkeleton:
      update_skeleton(world, slot);
      break;
    case ObjectKind::kArrow:
      update_arrow(world, slot);
      break;
    case ObjectKind::kPlant:
      update_plant(world, slot);
      break;
    case ObjectKind::kPlayer:
      break;
  }
}

}  // namespace disco::crafter
