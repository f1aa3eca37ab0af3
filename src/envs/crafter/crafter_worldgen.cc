#include "envs/crafter/crafter_worldgen.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "envs/crafter/crafter_objects.h"

// Exact IEEE arithmetic (the original's doubles): no fused multiply-adds,
// whatever -march allows.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace disco::crafter {

WorldGenerator::WorldGenerator(int area)
    : area_(area),
      cells_total_(area * area),
      layers_(static_cast<size_t>(kNumLayers) * area * area, 0.0),
      start_(area * area, 0.0),
      water_(area * area, 0.0),
      mountain_(area * area, 0.0),
      cells_(2 * area * area, 0),
      column_(area, 0.0),
      row_(area, 0.0),
      bx_(area * area, 0.0),
      by_(area * area, 0.0),
      bout_(area * area, 0.0),
      tunnels_(static_cast<size_t>(area) * area, 0),
      center_distance_(static_cast<size_t>(area) * area, 0.0) {
  for (int c = 0; c < cells_total_; ++c) {
    const int dx = c / area - area / 2;
    const int dy = c % area - area / 2;
    center_distance_[c] = std::sqrt(static_cast<double>(dx * dx + dy * dy));
  }
}

WorldGenerator& WorldGenerator::for_this_thread(int area) {
  thread_local std::vector<std::unique_ptr<WorldGenerator>> generators;
  for (const auto& g : generators) {
    if (g->area_ == area) return *g;
  }
  generators.push_back(std::make_unique<WorldGenerator>(area));
  return *generators.back();
}

double WorldGenerator::distance(int c, int px, int py) const {
  // sqrt((x - px)^2 + (y - py)^2), from a table when the player is at the
  // centre (always, in Crafter).
  if (px == area_ / 2 && py == area_ / 2) return center_distance_[c];
  const int dx = c / area_ - px;
  const int dy = c % area_ - py;
  return std::sqrt(static_cast<double>(dx * dx + dy * dy));
}

void WorldGenerator::evaluate(Layer layer, const int32_t* cells, int n) {
  // `_simplex(x, y, z, size)` = noise3(x / size, y / size, z), with the
  // original's own x and y for the tunnels (2x and y/5, x/5 and 2y); the
  // coordinates of each column and row are computed once, as the original
  // computes them.
  double z = 0, size = 1;
  switch (layer) {
    case kStart:
      z = 8, size = 3;
      break;
    case kWater15:
      z = 3, size = 15;
      break;
    case kWater5:
      z = 3, size = 5;
      break;
    case kMountain15:
      z = 0, size = 15;
      break;
    case kMountain5:
      z = 0, size = 5;
      break;
    case kCave:
      z = 6, size = 7;
      break;
    case kTunnelH:
      z = 7, size = 3;
      break;
    case kTunnelV:
      z = 7, size = 3;
      break;
    case kCoal:
      z = 1, size = 8;
      break;
    case kIron:
      z = 2, size = 6;
      break;
    case kLava:
      z = 6, size = 5;
      break;
    case kSand:
      z = 4, size = 9;
      break;
    case kTree:
      z = 5, size = 7;
      break;
    case kNumLayers:
      break;
  }
  for (int v = 0; v < area_; ++v) {
    const double d = v;
    if (layer == kTunnelH) {
      column_[v] = (2 * d) / size;
      row_[v] = (d / 5) / size;
    } else if (layer == kTunnelV) {
      column_[v] = (d / 5) / size;
      row_[v] = (2 * d) / size;
    } else {
      column_[v] = d / size;
      row_[v] = d / size;
    }
  }
  for (int i = 0; i < n; ++i) {
    bx_[i] = column_[cells[i] / area_];
    by_[i] = row_[cells[i] % area_];
  }
  simplex_.noise3_batch(bx_.data(), by_.data(), z, n, bout_.data());
  for (int i = 0; i < n; ++i) at(layer, cells[i]) = bout_[i];
}

void WorldGenerator::generate(World& world) {
  NumpyRandomState& random = world.random();
  simplex_.seed_with(random.randint(0, 2147483647));  // randint(0, 2**31 - 1)
  const Object& player = world.object(World::kPlayerSlot);
  const int px = player.x;
  const int py = player.y;
  const int n = cells_total_;

  // Start area, water and mountain everywhere (the original's arithmetic).
  for (int c = 0; c < n; ++c) cells_[c] = c;
  for (Layer l : {kStart, kWater15, kWater5, kMountain15, kMountain5})
    evaluate(l, cells_.data(), n);
  for (int c = 0; c < n; ++c) {
    double start = 4 - distance(c, px, py);
    start += 2 * at(kStart, c);
    start = 1 / (1 + std::exp(-start));
    double water = at(kWater15, c);  // {15: 1, 5: 0.15}, not normalised
    water += 0.15 * at(kWater5, c);
    water += 0.1;
    water -= 2 * start;
    double mountain = at(kMountain15, c);  // {15: 1, 5: 0.3} / (1 + 0.3)
    mountain += 0.3 * at(kMountain5, c);
    mountain /= 1.0 + 0.3;
    mountain -= 4 * start + 0.3 * water;
    start_[c] = start;
    water_[c] = water;
    mountain_[c] = mountain;
  }

  // The other layers, each over the cells the original may evaluate it at
  // (lists built in as few passes as the layers' dependencies allow).
  int32_t* list = cells_.data();
  int32_t* second = list + 2 * n;  // a second list, from the end downwards
  auto mountains = [&](int c) { return start_[c] <= 0.5 && mountain_[c] > 0.15; };
  auto lowland = [&](int c) { return start_[c] <= 0.5 && !(mountain_[c] > 0.15); };
  auto sand_band = [&](int c) { return 0.25 < water_[c] && water_[c] <= 0.35; };
  int n_cave = 0, n_sand = 0;
  for (int c = 0; c < n; ++c) {
    if (mountains(c) && mountain_[c] > 0.3) list[n_cave++] = c;
    if (lowland(c) && sand_band(c)) second[-1 - n_sand++] = c;
  }
  evaluate(kCave, list, n_cave);
  std::reverse(second - n_sand, second);
  evaluate(kSand, second - n_sand, n_sand);
  int n_h = 0, n_tree = 0;
  for (int c = 0; c < n; ++c) {
    if (mountains(c) && !(mountain_[c] > 0.3 && at(kCave, c) > 0.15)) list[n_h++] = c;
    if (lowland(c) && !(sand_band(c) && at(kSand, c) > -0.2) && !(0.3 < water_[c])) {
      second[-1 - n_tree++] = c;
    }
  }
  evaluate(kTunnelH, list, n_h);
  std::reverse(second - n_tree, second);
  evaluate(kTree, second - n_tree, n_tree);
  // Tunnel candidates shrink: each list is a subsequence of the previous.
  int n_v = 0;
  for (int i = 0; i < n_h; ++i) {
    if (!(at(kTunnelH, list[i]) > 0.4)) list[n_v++] = list[i];
  }
  evaluate(kTunnelV, list, n_v);
  int n_rock = 0, n_lava = 0;
  for (int i = 0; i < n_v; ++i) {
    const int c = list[i];
    if (at(kTunnelV, c) > 0.4) continue;
    list[n_rock++] = c;
    if (mountain_[c] > 0.3) second[-1 - n_lava++] = c;
  }
  evaluate(kCoal, list, n_rock);
  evaluate(kIron, list, n_rock);
  std::reverse(second - n_lava, second);
  evaluate(kLava, second - n_lava, n_lava);

  // Decisions and draws in the original's order (`_set_material`); a draw
  // only where the original's short-circuit reaches it.
  std::fill(tunnels_.begin(), tunnels_.end(), 0);
  uint8_t* materials = world.mutable_materials();
  for (int c = 0; c < n; ++c) {
    const double mountain = mountain_[c];
    const double water = water_[c];
    Material m;
    if (start_[c] > 0.5) {
      m = Material::kGrass;
    } else if (mountain > 0.15) {
      if (at(kCave, c) > 0.15 && mountain > 0.3) {
        m = Material::kPath;  // cave (the layer was evaluated wherever mountain > 0.3)
      } else if (at(kTunnelH, c) > 0.4) {
        m = Material::kPath;  // horizontal tunnel
        tunnels_[c] = 1;
      } else if (at(kTunnelV, c) > 0.4) {
        m = Material::kPath;  // vertical tunnel
        tunnels_[c] = 1;
      } else if (at(kCoal, c) > 0 && random.uniform() > 0.85) {
        m = Material::kCoal;
      } else if (at(kIron, c) > 0.4 && random.uniform() > 0.75) {
        m = Material::kIron;
      } else if (mountain > 0.18 && random.uniform() > 0.994) {
        m = Material::kDiamond;
      } else if (mountain > 0.3 && at(kLava, c) > 0.35) {
        m = Material::kLava;
      } else {
        m = Material::kStone;
      }
    } else if (0.25 < water && water <= 0.35 && at(kSand, c) > -0.2) {
      m = Material::kSand;
    } else if (0.3 < water) {
      m = Material::kWater;
    } else if (at(kTree, c) > 0 && random.uniform() > 0.8) {
      m = Material::kTree;
    } else {
      m = Material::kGrass;
    }
    materials[c] = static_cast<uint8_t>(m);
  }
  world.recount_materials();

  // Creatures (`_set_object`), only on walkable cells.
  for (int c = 0; c < n; ++c) {
    const Material m = static_cast<Material>(materials[c]);
    if (m != Material::kGrass && m != Material::kSand && m != Material::kPath) continue;
    const int x = c / area_;
    const int y = c % area_;
    const double dist = distance(c, px, py);
    if (dist > 3 && m == Material::kGrass && random.uniform() > 0.985) {
      world.add(make_cow(x, y));
    } else if (dist > 10 && random.uniform() > 0.993) {
      world.add(make_zombie(x, y));
    } else if (m == Material::kPath && tunnels_[c] && random.uniform() > 0.95) {
      world.add(make_skeleton(x, y));
    }
  }
}

}  // namespace disco::crafter
