// The named grid-world layouts of LPG (Oh et al. 2020, "Discovering
// Reinforcement Learning Algorithms", appendix) with the numbers of GROOVE's
// public JAX code (Jackson et al. 2023, github.com/EmptyJackson/groove,
// environments/gridworld/configs.py).
//
// An object type is [reward, termination probability, respawn probability]:
// picking an object gives its reward, ends the episode with its termination
// probability, and a picked object reappears with its respawn probability on
// each later step. "Tabular" layouts have a fixed map and fixed object
// positions (objects respawn where they were); "rand_" layouts place the
// objects at random free cells at every reset and at every respawn.
//
//   layout           size  walls               objects (count x type)                 steps
//   dense            11    none                2x[1,0,.05] 1x[-1,.5,.1] 1x[-1,0,.5]     500
//   sparse           13    none                1x[1,1,0] 1x[-1,1,0]                      50
//   long             11    none                2x[1,0,.01] 2x[-1,.5,1]                 1000
//   longer            9    column 4, 2 gaps    2x[1,.1,.01] 5x[-1,.8,1]                2000
//   long_dense       11    column 5 + row 4,   4x[1,0,.005]                            2000
//                          2 gaps each
//   rand_dense       11    none                as dense                                 500
//   rand_long        11    none                as long                                 1000
//   rand_small        7    cells 9 and 25      2x[1,0,.05] 2x[-1,.5,.1]                 500
//   rand_sparse       7    none                1x[1,1,1] 2x[-1,1,1]                      50
//   rand_very_dense  11    none                1x[1,0,1]                               2000
//   rand_tiny         3    none                2x[1,0,1]                                 50
//   small / medium / large / all / rand_all: GROOVE's sampled distributions,
//     drawn once from `layout_seed` (see kSampledLayouts in the .cc): grid side,
//     object count, rewards U(-1,1) (first U(0,1)), termination log-U(.01,1),
//     respawn log-U(.001,.1), random wall cells, episode length log-U.
//     The observation is padded to the largest grid of the distribution
//     (cells outside the drawn grid are walls) so every seed has one shape.
//
// Where GROOVE and LPG differ: `longer` uses LPG's 2 + 5 objects (GROOVE uses
// 2 + 3). GROOVE draws the start and the tabular object positions once per
// agent lifetime; the tabular maps here fix them (dense uses GROOVE's default
// positions, the others are our choice, drawn in the .cc as ASCII maps), and
// the rand_ layouts start the agent at the centre cell (also our choice).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace disco {

struct GridObjectType {
  float reward = 0.f;
  float p_terminate = 0.f;
  float p_respawn = 0.f;
};

struct GridObjectPlacement {
  int type = 0;
  int cell = -1;  // row * columns + column; -1: drawn at random at reset
};

struct GridLayout {
  std::string name;
  int rows = 0;
  int columns = 0;
  std::vector<uint8_t> walls;  // [rows * columns], 1 = wall
  int start_cell = 0;          // the agent's start, every episode
  std::vector<GridObjectType> types;
  std::vector<GridObjectPlacement> objects;
  bool random_positions = false;  // objects placed at random at reset and respawn
  int max_steps = 0;              // episode time limit (truncation)
};

// The layout called `name`; `layout_seed` only matters for the sampled
// distributions (small, medium, large, all, rand_all). Throws
// std::invalid_argument for an unknown name.
GridLayout make_grid_layout(const std::string& name, uint64_t layout_seed);

// Every name make_grid_layout accepts.
std::vector<std::string> grid_layout_names();

}  // namespace disco
