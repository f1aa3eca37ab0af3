// Crafter's world: the material map, the objects in world order, the chunks
// and the episode's random generator (the original's `engine.World`), plus
// the names and ids every other Crafter file shares.
//
// Reference: danijar/crafter (e04542a, v1.8.3) `crafter/engine.py`,
// `crafter/data.yaml`; ../shared/crafter_spec.md sections 3, 10, 14.
//
// World order. The original keeps objects in a list where a removed object
// leaves a hole and a new one is appended; "world order" is that list without
// the holes. Here objects live in slots 0..num_slots()-1 in the same order
// (slot 0 is the player), removed ones marked `removed`; compact() drops the
// holes without changing the order (call it only between object updates,
// never while iterating the slots).
//
// Chunks. The map is cut into 12x12 chunks (the last row and column of
// chunks narrower when the area is not a multiple of 12). A chunk becomes
// known the first time an object is added to it or moves into it, and known
// chunks are balanced in that order. Each chunk lists its objects in the
// order they entered it (added there, or moved in from another chunk); the
// original uses a Python set there, whose order follows memory addresses,
// and the golden traces were made with this entry order instead.
//
// Storage is allocated once by the constructor: reset(), add(), move() and
// remove() never allocate.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "envs/crafter/numpy_random.h"

namespace disco::crafter {

// Material ids of the map (data.yaml order, 0 = none).
enum class Material : uint8_t {
  kNone = 0,
  kWater,
  kGrass,
  kStone,
  kPath,
  kSand,
  kTree,
  kLava,
  kCoal,
  kIron,
  kDiamond,
  kTable,
  kFurnace,
};
inline constexpr int kNumMaterials = 13;
// "water", ...; "none" for kNone.
const char* material_name(Material m);

enum class ObjectKind : uint8_t { kPlayer, kCow, kZombie, kSkeleton, kArrow, kPlant };
inline constexpr int kNumObjectKinds = 6;
// "player", "cow", "zombie", "skeleton", "arrow", "plant".
const char* object_kind_name(ObjectKind k);

// Inventory items, data.yaml order (the order of the image's inventory too).
enum class Item : uint8_t {
  kHealth,
  kFood,
  kDrink,
  kEnergy,
  kSapling,
  kWood,
  kStone,
  kCoal,
  kIron,
  kDiamond,
  kWoodPickaxe,
  kStonePickaxe,
  kIronPickaxe,
  kWoodSword,
  kStoneSword,
  kIronSword,
};
inline constexpr int kNumItems = 16;
inline constexpr int kItemMax = 9;
const char* item_name(Item i);

// The 22 achievements, data.yaml order (alphabetical).
enum class Achievement : uint8_t {
  kCollectCoal,
  kCollectDiamond,
  kCollectDrink,
  kCollectIron,
  kCollectSapling,
  kCollectStone,
  kCollectWood,
  kDefeatSkeleton,
  kDefeatZombie,
  kEatCow,
  kEatPlant,
  kMakeIronPickaxe,
  kMakeIronSword,
  kMakeStonePickaxe,
  kMakeStoneSword,
  kMakeWoodPickaxe,
  kMakeWoodSword,
  kPlaceFurnace,
  kPlacePlant,
  kPlaceStone,
  kPlaceTable,
  kWakeUp,
};
inline constexpr int kNumAchievements = 22;
const char* achievement_name(Achievement a);

// The 17 actions, data.yaml order.
enum class Action : uint8_t {
  kNoop,
  kMoveLeft,
  kMoveRight,
  kMoveUp,
  kMoveDown,
  kDo,
  kSleep,
  kPlaceStone,
  kPlaceTable,
  kPlaceFurnace,
  kPlacePlant,
  kMakeWoodPickaxe,
  kMakeStonePickaxe,
  kMakeIronPickaxe,
  kMakeWoodSword,
  kMakeStoneSword,
  kMakeIronSword,
};
inline constexpr int kNumActions = 17;
const char* action_name(Action a);

// One object of the world. Its health is the original's `health` (0 where
// the original has none, as for arrows); the player's health lives in its
// inventory (PlayerState) and this field is unused for it.
struct Object {
  ObjectKind kind = ObjectKind::kPlayer;
  bool removed = false;
  int8_t facing_x = 0;  // arrows: the direction of flight
  int8_t facing_y = 0;
  int16_t x = 0;
  int16_t y = 0;
  int32_t health = 0;
  // Zombie: attack cooldown; skeleton: reload; plant: grown (steps).
  int32_t counter = 0;
};

// The player's own state (objects.py Player): inventory, achievement
// counters, facing, sleep and the float counters of hunger, thirst, fatigue
// and recovery (multiples of 0.5, exact in a double).
struct PlayerState {
  std::array<int32_t, kNumItems> inventory{};
  std::array<int32_t, kNumAchievements> achievements{};
  int32_t facing_x = 0;
  int32_t facing_y = 1;
  bool sleeping = false;
  int32_t last_health = 0;  // at the end of the previous player update
  double hunger = 0;
  double thirst = 0;
  double fatigue = 0;
  double recover = 0;

  int32_t& item(Item i) { return inventory[static_cast<int>(i)]; }
  int32_t item(Item i) const { return inventory[static_cast<int>(i)]; }
  int32_t health() const { return item(Item::kHealth); }
  // The original's health setter: never below 0.
  void set_health(int32_t h) { item(Item::kHealth) = h < 0 ? 0 : h; }
};

class World {
 public:
  static constexpr int kChunkSize = 12;
  static constexpr int kNoObject = -1;

  // A square world of area x area cells. Throws std::invalid_argument for an
  // area outside [kMinArea, kMaxArea].
  static constexpr int kMinArea = 12;
  static constexpr int kMaxArea = 256;
  explicit World(int area);

  int area() const { return area_; }
  int cells() const { return area_ * area_; }

  // Empties the world (no materials, no objects, no known chunks), seeds the
  // generator with `seed` and resets the player's state.
  void reset(uint32_t seed);

  // --- map -------------------------------------------------------------
  bool inside(int x, int y) const {
    return static_cast<unsigned>(x) < static_cast<unsigned>(area_) &&
           static_cast<unsigned>(y) < static_cast<unsigned>(area_);
  }
  int cell(int x, int y) const { return x * area_ + y; }  // x-major, as mat_map[x][y]
  // kNone outside the map.
  Material material(int x, int y) const {
    return inside(x, y) ? static_cast<Material>(materials_[cell(x, y)]) : Material::kNone;
  }
  void set_material(int x, int y, Material m);
  // The map, x-major (area * area ids).
  const std::vector<uint8_t>& materials() const { return materials_; }
  // Replaces the whole map (world generation, loading a state); recounts
  // every chunk's materials.
  void set_all_materials(const std::vector<uint8_t>& ids);
  uint8_t* mutable_materials() { return materials_.data(); }
  void recount_materials();

  // --- objects ---------------------------------------------------------
  // The slot of the object at (x, y), or kNoObject (also outside the map).
  int object_at(int x, int y) const { return inside(x, y) ? object_map_[cell(x, y)] : kNoObject; }
  int num_slots() const { return num_slots_; }
  int num_objects() const { return num_live_; }
  const Object& object(int slot) const { return objects_[slot]; }
  Object& object(int slot) { return objects_[slot]; }
  // Appends an object (its cell must be inside the map and free); returns its slot.
  int add(const Object& obj);
  // The original's World.remove: no-op for a removed object.
  void remove(int slot);
  // The original's World.move: no-op for a removed object; (x, y) must be free.
  void move(int slot, int x, int y);
  // Drops the removed slots, keeping world order (slots are renumbered).
  void compact();
  // compact() when holes outnumber the live objects (amortised O(1)).
  void compact_if_sparse() {
    if (num_slots_ > 2 * num_live_ + 64) compact();
  }

  // --- chunks ----------------------------------------------------------
  int chunks_per_side() const { return chunks_per_side_; }
  int chunk_of(int x, int y) const { return (x / kChunkSize) * chunks_per_side_ + y / kChunkSize; }
  // Cell bounds of a chunk: [xmin, xmax) x [ymin, ymax).
  void chunk_bounds(int chunk, int* xmin, int* xmax, int* ymin, int* ymax) const;
  // Known chunks in the order they became known.
  int num_known_chunks() const { return num_known_chunks_; }
  int known_chunk(int i) const { return known_chunks_[i]; }
  // A chunk's objects in entry order.
  int chunk_size(int chunk) const { return chunk_counts_[chunk]; }
  int chunk_member(int chunk, int i) const { return chunk_members_[chunk * kChunkCells + i]; }
  // Cells of material m in a chunk.
  int chunk_material_count(int chunk, Material m) const {
    return material_counts_[chunk * kNumMaterials + static_cast<int>(m)];
  }

  // --- the rest of the world's state -------------------------------------
  NumpyRandomState& random() { return random_; }
  const NumpyRandomState& random() const { return random_; }
  double daylight = 0;
  PlayerState player;
  static constexpr int kPlayerSlot = 0;

  // Rebuilds the object map and chunk tables from the objects and the given
  // chunk order and member lists; throws std::invalid_argument if they do
  // not describe a consistent world.
  void restore(const std::vector<Object>& objects, const std::vector<int16_t>& known_chunks,
               const std::vector<std::vector<int32_t>>& chunk_members);

 private:
  static constexpr int kChunkCells = kChunkSize * kChunkSize;
  void chunk_insert(int chunk, int slot);
  void chunk_erase(int chunk, int slot);

  int area_ = 0;
  int chunks_per_side_ = 0;
  int capacity_ = 0;
  std::vector<uint8_t> materials_;   // [cells]
  std::vector<int32_t> object_map_;  // [cells] slot or kNoObject
  std::vector<Object> objects_;      // [capacity]
  int num_slots_ = 0;
  int num_live_ = 0;
  std::vector<uint8_t> chunk_known_;   // [chunks]
  std::vector<int16_t> known_chunks_;  // [chunks], first num_known_chunks_
  int num_known_chunks_ = 0;
  std::vector<int16_t> chunk_counts_;     // [chunks]
  std::vector<int32_t> chunk_members_;    // [chunks, 144] slots in entry order
  std::vector<int16_t> material_counts_;  // [chunks, kNumMaterials]
  std::vector<int32_t> remap_;            // [capacity] scratch for compact()
  NumpyRandomState random_;
};

}  // namespace disco::crafter
