#include "envs/crafter/crafter_world.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace disco::crafter {

namespace {

constexpr const char* kMaterialNames[kNumMaterials] = {
    "none", "water", "grass", "stone",   "path",  "sand",   "tree",
    "lava", "coal",  "iron",  "diamond", "table", "furnace"};
constexpr const char* kObjectKindNames[kNumObjectKinds] = {"player",   "cow",   "zombie",
                                                           "skeleton", "arrow", "plant"};
constexpr const char* kItemNames[kNumItems] = {
    "health",       "food",       "drink",       "energy",    "sapling",      "wood",
    "stone",        "coal",       "iron",        "diamond",   "wood_pickaxe", "stone_pickaxe",
    "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword"};
constexpr const char* kAchievementNames[kNumAchievements] = {
    "collect_coal",     "collect_diamond",
    "collect_drink",    "collect_iron",
    "collect_sapling",  "collect_stone",
    "collect_wood",     "defeat_skeleton",
    "defeat_zombie",    "eat_cow",
    "eat_plant",        "make_iron_pickaxe",
    "make_iron_sword",  "make_stone_pickaxe",
    "make_stone_sword", "make_wood_pickaxe",
    "make_wood_sword",  "place_furnace",
    "place_plant",      "place_stone",
    "place_table",      "wake_up"};
constexpr const char* kActionNames[kNumActions] = {"noop",
                                                   "move_left",
                                                   "move_right",
                                                   "move_up",
                                                   "move_down",
                                                   "do",
                                                   "sleep",
                                                   "place_stone",
                                                   "place_table",
                                                   "place_furnace",
                                                   "place_plant",
                                                   "make_wood_pickaxe",
                                                   "make_stone_pickaxe",
                                                   "make_iron_pickaxe",
                                                   "make_wood_sword",
                                                   "make_stone_sword",
                                                   "make_iron_sword"};

}  // namespace

const char* material_name(Material m) { return kMaterialNames[static_cast<int>(m)]; }
const char* object_kind_name(ObjectKind k) { return kObjectKindNames[static_cast<int>(k)]; }
const char* item_name(Item i) { return kItemNames[static_cast<int>(i)]; }
const char* achievement_name(Achievement a) { return kAchievementNames[static_cast<int>(a)]; }
const char* action_name(Action a) { return kActionNames[static_cast<int>(a)]; }

World::World(int area) : area_(area) {
  if (area < kMinArea || area > kMaxArea) {
    throw std::invalid_argument("crafter: area must be in [" + std::to_string(kMinArea) + ", " +
                                std::to_string(kMaxArea) + "], got " + std::to_string(area));
  }
  chunks_per_side_ = (area + kChunkSize - 1) / kChunkSize;
  const int chunks = chunks_per_side_ * chunks_per_side_;
  // At a step's start num_slots <= 2 * live + 64 <= 2 * cells + 64; one step
  // adds at most one object per live object plus three per chunk.
  capacity_ = 3 * cells() + 3 * chunks + 72;
  materials_.assign(cells(), 0);
  object_map_.assign(cells(), kNoObject);
  objects_.assign(capacity_, Object{});
  remap_.assign(capacity_, kNoObject);
  chunk_known_.assign(chunks, 0);
  known_chunks_.assign(chunks, 0);
  chunk_counts_.assign(chunks, 0);
  chunk_members_.assign(static_cast<size_t>(chunks) * kChunkCells, kNoObject);
  material_counts_.assign(static_cast<size_t>(chunks) * kNumMaterials, 0);
}

void World::reset(uint32_t seed) {
  random_.seed_with(seed);
  daylight = 0;
  std::fill(materials_.begin(), materials_.end(), 0);
  std::fill(object_map_.begin(), object_map_.end(), kNoObject);
  num_slots_ = num_live_ = 0;
  std::fill(chunk_known_.begin(), chunk_known_.end(), 0);
  num_known_chunks_ = 0;
  std::fill(chunk_counts_.begin(), chunk_counts_.end(), 0);
  recount_materials();
  player = PlayerState{};
}

void World::chunk_bounds(int chunk, int* xmin, int* xmax, int* ymin, int* ymax) const {
  *xmin = (chunk / chunks_per_side_) * kChunkSize;
  *ymin = (chunk % chunks_per_side_) * kChunkSize;
  *xmax = std::min(*xmin + kChunkSize, area_);
  *ymax = std::min(*ymin + kChunkSize, area_);
}

void World::set_material(int x, int y, Material m) {
  uint8_t& cur = materials_[cell(x, y)];
  const int chunk = chunk_of(x, y);
  --material_counts_[chunk * kNumMaterials + cur];
  cur = static_cast<uint8_t>(m);
  ++material_counts_[chunk * kNumMaterials + cur];
}

void World::set_all_materials(const std::vector<uint8_t>& ids) {
  if (static_cast<int>(ids.size()) != cells()) {
    throw std::invalid_argument("crafter: a map of " + std::to_string(ids.size()) +
                                " cells for an area of " + std::to_string(cells()));
  }
  for (uint8_t id : ids) {
    if (id >= kNumMaterials) {
      throw std::invalid_argument("crafter: material id " + std::to_string(id) + " out of range");
    }
  }
  materials_ = ids;
  recount_materials();
}

void World::recount_materials() {
  std::fill(material_counts_.begin(), material_counts_.end(), 0);
  for (int x = 0; x < area_; ++x) {
    for (int y = 0; y < area_; ++y) {
      ++material_counts_[chunk_of(x, y) * kNumMaterials + materials_[cell(x, y)]];
    }
  }
}

void World::chunk_insert(int chunk, int slot) {
  if (!chunk_known_[chunk]) {
    chunk_known_[chunk] = 1;
    known_chunks_[num_known_chunks_++] = static_cast<int16_t>(chunk);
  }
  chunk_members_[chunk * kChunkCells + chunk_counts_[chunk]++] = slot;
}

void World::chunk_erase(int chunk, int slot) {
  int32_t* members = chunk_members_.data() + chunk * kChunkCells;
  const int n = chunk_counts_[chunk];
  int i = 0;
  while (i < n && members[i] != slot) ++i;
  for (; i + 1 < n; ++i) members[i] = members[i + 1];
  --chunk_counts_[chunk];
}

int World::add(const Object& obj) {
  if (!inside(obj.x, obj.y) || object_map_[cell(obj.x, obj.y)] != kNoObject) {
    throw std::logic_error("crafter: adding an object to an occupied or outside cell");
  }
  if (num_slots_ == capacity_) throw std::logic_error("crafter: object slots exhausted");
  const int slot = num_slots_++;
  objects_[slot] = obj;
  objects_[slot].removed = false;
  ++num_live_;
  object_map_[cell(obj.x, obj.y)] = slot;
  chunk_insert(chunk_of(obj.x, obj.y), slot);
  return slot;
}

void World::remove(int slot) {
  Object& o = objects_[slot];
  if (o.removed) return;
  object_map_[cell(o.x, o.y)] = kNoObject;
  chunk_erase(chunk_of(o.x, o.y), slot);
  o.removed = true;
  --num_live_;
}

void World::move(int slot, int x, int y) {
  Object& o = objects_[slot];
  if (o.removed) return;
  object_map_[cell(x, y)] = slot;
  object_map_[cell(o.x, o.y)] = kNoObject;
  const int from = chunk_of(o.x, o.y);
  const int to = chunk_of(x, y);
  if (from != to) {
    chunk_erase(from, slot);
    chunk_insert(to, slot);
  }
  o.x = static_cast<int16_t>(x);
  o.y = static_cast<int16_t>(y);
}

void World::compact() {
  int n = 0;
  for (int s = 0; s < num_slots_; ++s) {
    if (objects_[s].removed) {
      remap_[s] = kNoObject;
      continue;
    }
    remap_[s] = n;
    if (n != s) objects_[n] = objects_[s];
    ++n;
  }
  num_slots_ = n;
  for (int s = 0; s < n; ++s) object_map_[cell(objects_[s].x, objects_[s].y)] = s;
  const int chunks = chunks_per_side_ * chunks_per_side_;
  for (int c = 0; c < chunks; ++c) {
    int32_t* members = chunk_members_.data() + c * kChunkCells;
    for (int i = 0; i < chunk_counts_[c]; ++i) members[i] = remap_[members[i]];
  }
}

void World::restore(const std::vector<Object>& objects, const std::vector<int16_t>& known_chunks,
                    const std::vector<std::vector<int32_t>>& chunk_members) {
  const int chunks = chunks_per_side_ * chunks_per_side_;
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("crafter: saved state is inconsistent (" + what + ")");
  };
  if (static_cast<int>(objects.size()) > capacity_) fail("too many objects");
  if (objects.empty() || objects[0].kind != ObjectKind::kPlayer) fail("no player in slot 0");
  if (static_cast<int>(known_chunks.size()) > chunks ||
      known_chunks.size() != chunk_members.size()) {
    fail("chunk tables");
  }
  std::fill(object_map_.begin(), object_map_.end(), kNoObject);
  for (size_t s = 0; s < objects.size(); ++s) {
    const Object& o = objects[s];
    if (o.removed || static_cast<int>(o.kind) >= kNumObjectKinds || !inside(o.x, o.y) ||
        object_map_[cell(o.x, o.y)] != kNoObject) {
      fail("object " + std::to_string(s));
    }
    objects_[s] = o;
    object_map_[cell(o.x, o.y)] = static_cast<int32_t>(s);
  }
  num_slots_ = num_live_ = static_cast<int>(objects.size());
  std::fill(chunk_known_.begin(), chunk_known_.end(), 0);
  std::fill(chunk_counts_.begin(), chunk_counts_.end(), 0);
  num_known_chunks_ = 0;
  size_t listed = 0;
  std::fill(remap_.begin(), remap_.end(), 0);  // 1 once an object is listed in a chunk
  for (size_t i = 0; i < known_chunks.size(); ++i) {
    const int c = known_chunks[i];
    if (c < 0 || c >= chunks || chunk_known_[c]) fail("chunk order");
    chunk_known_[c] = 1;
    known_chunks_[num_known_chunks_++] = static_cast<int16_t>(c);
    if (static_cast<int>(chunk_members[i].size()) > kChunkCells) fail("chunk members");
    for (int32_t s : chunk_members[i]) {
      if (s < 0 || s >= num_slots_ || remap_[s] || chunk_of(objects_[s].x, objects_[s].y) != c) {
        fail("chunk members");
      }
      remap_[s] = 1;
      chunk_members_[c * kChunkCells + chunk_counts_[c]++] = s;
    }
    listed += chunk_members[i].size();
  }
  if (listed != objects.size()) fail("objects missing from their chunks");
}

}  // namespace disco::crafter
