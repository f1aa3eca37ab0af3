// Crafter's world generation (the original's `worldgen.py`): terrain from
// OpenSimplex noise layers with the original's thresholds, then cows, zombies
// and skeletons, every uniform draw in the original's order
// (../shared/crafter_spec.md section 11).
//
// The original evaluates the noise cell by cell, each layer only where its
// short-circuit reaches it. Noise has no side effects, so here every layer
// is evaluated in batches over all cells that may need it first (a layer at
// a time, fast and vectorised: opensimplex.h noise3_batch), and a final pass
// in the original's scan order takes the same decisions and makes the same
// draws from those values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "envs/crafter/crafter_world.h"
#include "envs/crafter/opensimplex.h"

namespace disco::crafter {

class WorldGenerator {
 public:
  explicit WorldGenerator(int area);

  // A generator for worlds of `area`, one per thread and area: its buffers
  // (about 0.6 MB at 64x64) are scratch that no world keeps, so every
  // environment on a thread shares them and a batch stays in cache. Made on
  // a thread's first use of an area; never freed before the thread ends.
  static WorldGenerator& for_this_thread(int area);

  // Fills a freshly reset world whose only object is the player (slot 0):
  // the first draw of the world's generator seeds the noise, then the
  // terrain pass and the creature pass scan x = 0.. (outer), y = 0.. (inner).
  void generate(World& world);

 private:
  // Layers: one noise value per cell (x-major), valid where evaluated.
  enum Layer {
    kStart,       // N(x, y, 8, 3)
    kWater15,     // N(x, y, 3, 15)
    kWater5,      // N(x, y, 3, 5)
    kMountain15,  // N(x, y, 0, 15)
    kMountain5,   // N(x, y, 0, 5)
    kCave,        // N(x, y, 6, 7)
    kTunnelH,     // N(2x, y/5, 7, 3)
    kTunnelV,     // N(x/5, 2y, 7, 3)
    kCoal,        // N(x, y, 1, 8)
    kIron,        // N(x, y, 2, 6)
    kLava,        // N(x, y, 6, 5)
    kSand,        // N(x, y, 4, 9)
    kTree,        // N(x, y, 5, 7)
    kNumLayers
  };
  // Evaluates `layer` at cells[0, n).
  void evaluate(Layer layer, const int32_t* cells, int n);
  double distance(int cell, int px, int py) const;
  double& at(Layer layer, int cell) {
    return layers_[static_cast<size_t>(layer) * cells_total_ + cell];
  }

  int area_;
  int cells_total_;
  OpenSimplex simplex_;
  std::vector<double> layers_;                    // [kNumLayers, cells]
  std::vector<double> start_, water_, mountain_;  // [cells]
  std::vector<int32_t> cells_;                    // [2 * cells] lists of cells to evaluate
  std::vector<double> column_, row_;              // [area] a layer's coordinates of x and y
  std::vector<double> bx_, by_, bout_;            // [cells] a batch's coordinates and values
  std::vector<uint8_t> tunnels_;                  // [cells] cells carved as tunnels
  std::vector<double> center_distance_;           // [cells] Euclidean distance to the centre
};

}  // namespace disco::crafter
