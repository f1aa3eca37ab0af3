#include "envs/gridworld/gridworld_layouts.h"

#include <cmath>
#include <stdexcept>

#include "core/rng.h"

namespace disco {
namespace {

// A hand-drawn layout: '#' wall, '.' floor, 'A' the agent's start, 'a'..'e'
// an object of type 0..4 at a fixed cell. `random_objects` lists the types
// of objects placed at random instead (rand_ layouts).
struct DrawnLayout {
  const char* name;
  std::vector<const char*> map;
  std::vector<GridObjectType> types;
  std::vector<int> random_objects;
  int max_steps;
};

const GridObjectType kGood{1.f, 0.f, 0.05f};

const std::vector<DrawnLayout>& drawn_layouts() {
  static const std::vector<DrawnLayout> layouts = {
      // Object cells of GROOVE's default (dense) parameters; start at cell 0.
      {"dense",
       {"A..........",
        "...a.......",
        "...........",
        ".......a...",
        "...........",
        "...........",
        "...........",
        "...........",
        ".......b...",
        "..c........",
        "..........."},
       {{1.f, 0.f, 0.05f}, {-1.f, 0.5f, 0.1f}, {-1.f, 0.f, 0.5f}}, {}, 500},
      {"sparse",
       {".............",
        ".............",
        ".............",
        "..b..........",
        ".............",
        ".............",
        "......A......",
        ".............",
        ".............",
        ".............",
        "...........a.",
        ".............",
        "............."},
       {{1.f, 1.f, 0.f}, {-1.f, 1.f, 0.f}}, {}, 50},
      {"long",
       {"a.........b",
        "...........",
        "...........",
        "...........",
        "...........",
        ".....A.....",
        "...........",
        "...........",
        "...........",
        "...........",
        "b.........a"},
       {{1.f, 0.f, 0.01f}, {-1.f, 0.5f, 1.f}}, {}, 1000},
      // A wall down column 4 with gaps in rows 1 and 7.
      {"longer",
       {"....#....",
        "...b.....",
        "....#..a.",
        "....#....",
        "A...#.b..",
        "....#....",
        "..b.#..a.",
        ".....b...",
        "....#..b."},
       {{1.f, 0.1f, 0.01f}, {-1.f, 0.8f, 1.f}}, {}, 2000},
      // Walls down column 5 (gaps in rows 0 and 7) and along row 4 (gaps in
      // columns 2 and 8): four rooms, one object in each.
      {"long_dense",
       {"A..........",
        ".....#.....",
        ".a...#...a.",
        ".....#.....",
        "##.#####.##",
        ".....#.....",
        ".....#.....",
        "...........",
        ".a...#...a.",
        ".....#.....",
        ".....#....."},
       {{1.f, 0.f, 0.005f}}, {}, 2000},
      {"rand_dense",
       {"...........", "...........", "...........", "...........", "...........",
        ".....A.....", "...........", "...........", "...........", "...........",
        "..........."},
       {{1.f, 0.f, 0.05f}, {-1.f, 0.5f, 0.1f}, {-1.f, 0.f, 0.5f}}, {0, 0, 1, 2}, 500},
      {"rand_long",
       {"...........", "...........", "...........", "...........", "...........",
        ".....A.....", "...........", "...........", "...........", "...........",
        "..........."},
       {{1.f, 0.f, 0.01f}, {-1.f, 0.5f, 1.f}}, {0, 0, 1, 1}, 1000},
      // GROOVE's walls at flat indices 9 and 25 of the 7x7 grid.
      {"rand_small",
       {".......", "..#....", ".......", "...A#..", ".......", ".......", "......."},
       {kGood, {-1.f, 0.5f, 0.1f}}, {0, 0, 1, 1}, 500},
      {"rand_sparse",
       {".......", ".......", ".......", "...A...", ".......", ".......", "......."},
       {{1.f, 1.f, 1.f}, {-1.f, 1.f, 1.f}}, {0, 1, 1}, 50},
      {"rand_very_dense",
       {"...........", "...........", "...........", "...........", "...........",
        ".....A.....", "...........", "...........", "...........", "...........",
        "..........."},
       {{1.f, 0.f, 1.f}}, {0}, 2000},
      {"rand_tiny", {"...", ".A.", "..."}, {{1.f, 0.f, 1.f}}, {0, 0}, 50},
  };
  return layouts;
}

// GROOVE's sampled environment distributions (reset_env_params).
struct SampledLayout {
  const char* name;
  int min_side, max_side;  // grid side, uniform in [min, max]
  int min_objects, max_objects;
  int num_walls, wall_side;  // distinct flat indices in [0, wall_side^2)
  int min_steps, max_steps;  // episode length, log-uniform, rounded
  bool random_positions;
};

const std::vector<SampledLayout>& sampled_layouts() {
  static const std::vector<SampledLayout> layouts = {
      {"small", 4, 6, 1, 3, 7, 6, 20, 100, false},
      {"medium", 6, 8, 2, 4, 10, 8, 100, 250, false},
      {"large", 8, 10, 2, 5, 15, 10, 250, 750, false},
      {"all", 4, 10, 1, 5, 15, 10, 20, 750, false},
      {"rand_all", 4, 10, 1, 5, 15, 10, 20, 750, true},
  };
  return layouts;
}

GridLayout from_drawing(const DrawnLayout& d) {
  GridLayout g;
  g.name = d.name;
  g.rows = static_cast<int>(d.map.size());
  g.columns = static_cast<int>(std::string(d.map[0]).size());
  g.walls.assign(g.rows * g.columns, 0);
  g.types = d.types;
  g.max_steps = d.max_steps;
  g.random_positions = !d.random_objects.empty();
  for (int r = 0; r < g.rows; ++r) {
    const std::string row = d.map[r];
    if (static_cast<int>(row.size()) != g.columns) {
      throw std::logic_error("gridworld layout " + g.name + ": ragged map");
    }
    for (int c = 0; c < g.columns; ++c) {
      const int cell = r * g.columns + c;
      const char ch = row[c];
      if (ch == '#') g.walls[cell] = 1;
      if (ch == 'A') g.start_cell = cell;
      if (ch >= 'a' && ch <= 'e') g.objects.push_back({ch - 'a', cell});
    }
  }
  for (int type : d.random_objects) g.objects.push_back({type, -1});
  return g;
}

double log_uniform(Rng& rng, double lo, double hi) {
  return std::exp(std::log(lo) + rng.uniform() * (std::log(hi) - std::log(lo)));
}

// Draws a free cell (not a wall, not yet taken) of the side x side corner.
int draw_free_cell(Rng& rng, const GridLayout& g, int side, std::vector<uint8_t>& taken) {
  for (;;) {
    const int cell = rng.uniform_int(side) * g.columns + rng.uniform_int(side);
    if (!g.walls[cell] && !taken[cell]) {
      taken[cell] = 1;
      return cell;
    }
  }
}

GridLayout from_distribution(const SampledLayout& s, uint64_t seed) {
  Rng rng(seed);
  GridLayout g;
  g.name = s.name;
  g.rows = g.columns = s.max_side;
  g.random_positions = s.random_positions;
  const int num_types = s.max_objects;
  for (int i = 0; i < num_types; ++i) {
    GridObjectType t;
    t.reward = static_cast<float>(i == 0 ? rng.uniform() : 2.0 * rng.uniform() - 1.0);
    t.p_terminate = static_cast<float>(log_uniform(rng, 1e-2, 1.0));
    t.p_respawn = static_cast<float>(log_uniform(rng, 1e-3, 1e-1));
    g.types.push_back(t);
  }
  g.max_steps = static_cast<int>(std::lround(log_uniform(rng, s.min_steps, s.max_steps)));
  const int num_objects = rng.uniform_int(s.min_objects, s.max_objects);
  const int side = rng.uniform_int(s.min_side, s.max_side);

  // Outside the drawn side x side grid is wall; inside, GROOVE's flat wall
  // indices (stride = side) that fall within the grid.
  g.walls.assign(g.rows * g.columns, 1);
  for (int r = 0; r < side; ++r)
    for (int c = 0; c < side; ++c) g.walls[r * g.columns + c] = 0;
  std::vector<uint8_t> chosen(s.wall_side * s.wall_side, 0);
  for (int w = 0; w < s.num_walls; ++w) {
    int index;
    do index = rng.uniform_int(s.wall_side * s.wall_side);
    while (chosen[index]);
    chosen[index] = 1;
    if (index < side * side) g.walls[(index / side) * g.columns + index % side] = 1;
  }
  std::vector<uint8_t> taken(g.rows * g.columns, 0);
  g.start_cell = draw_free_cell(rng, g, side, taken);
  for (int i = 0; i < num_objects; ++i) {
    g.objects.push_back({i, s.random_positions ? -1 : draw_free_cell(rng, g, side, taken)});
  }
  return g;
}

}  // namespace

GridLayout make_grid_layout(const std::string& name, uint64_t layout_seed) {
  for (const DrawnLayout& d : drawn_layouts()) {
    if (name == d.name) return from_drawing(d);
  }
  for (const SampledLayout& s : sampled_layouts()) {
    if (name == s.name) return from_distribution(s, layout_seed);
  }
  std::string known;
  for (const std::string& n : grid_layout_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("gridworld: unknown layout '" + name + "' (known: " + known + ")");
}

std::vector<std::string> grid_layout_names() {
  std::vector<std::string> names;
  for (const DrawnLayout& d : drawn_layouts()) names.push_back(d.name);
  for (const SampledLayout& s : sampled_layouts()) names.push_back(s.name);
  return names;
}

}  // namespace disco
