#include "envs/gridworld/gridworld.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "envs/registry.h"

namespace disco {
namespace {

constexpr int kUp = 0, kDown = 1, kLeft = 2, kRight = 3, kStay = 4;

GridWorld make(const std::string& layout, int seed = 0, bool time_feature = true) {
  GridWorldSettings s;
  s.layout = layout;
  s.layout_seed = seed;
  s.time_feature = time_feature;
  return GridWorld(s);
}

int cell(const GridLayout& g, int row, int column) { return row * g.columns + column; }

int count_walls(const GridLayout& g) {
  int n = 0;
  for (uint8_t w : g.walls) n += w;
  return n;
}

TEST(GridWorldLayouts, DenseMatchesGrooveDefaults) {
  const GridLayout g = make_grid_layout("dense", 0);
  EXPECT_EQ(g.rows, 11);
  EXPECT_EQ(g.columns, 11);
  EXPECT_EQ(g.max_steps, 500);
  EXPECT_EQ(g.start_cell, 0);
  EXPECT_EQ(count_walls(g), 0);
  ASSERT_EQ(g.objects.size(), 4u);
  // GROOVE default_params: obj_ids [0,0,1,2] at 1*11+3, 3*11+7, 8*11+7, 9*11+2.
  const int cells[4] = {14, 40, 95, 101};
  const int types[4] = {0, 0, 1, 2};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(g.objects[i].cell, cells[i]);
    EXPECT_EQ(g.objects[i].type, types[i]);
  }
  ASSERT_EQ(g.types.size(), 3u);
  EXPECT_FLOAT_EQ(g.types[1].reward, -1.f);
  EXPECT_FLOAT_EQ(g.types[1].p_terminate, 0.5f);
  EXPECT_FLOAT_EQ(g.types[2].p_respawn, 0.5f);
  EXPECT_FALSE(g.random_positions);
}

TEST(GridWorldLayouts, WallsFollowGrooveRules) {
  // longer: column 4 of 9x9 except rows 1 and 7.
  const GridLayout longer = make_grid_layout("longer", 0);
  for (int r = 0; r < 9; ++r)
    for (int c = 0; c < 9; ++c)
      EXPECT_EQ(longer.walls[cell(longer, r, c)], c == 4 && r != 1 && r != 7) << r << "," << c;
  // long_dense: column 5 except rows 0, 7; row 4 except columns 2, 8.
  const GridLayout ld = make_grid_layout("long_dense", 0);
  for (int r = 0; r < 11; ++r)
    for (int c = 0; c < 11; ++c) {
      const bool wall = (c == 5 && r != 0 && r != 7) || (r == 4 && c != 2 && c != 8);
      EXPECT_EQ(ld.walls[cell(ld, r, c)], wall) << r << "," << c;
    }
  // rand_small: flat indices 9 and 25 of the 7x7 grid.
  const GridLayout rs = make_grid_layout("rand_small", 0);
  EXPECT_EQ(count_walls(rs), 2);
  EXPECT_TRUE(rs.walls[9]);
  EXPECT_TRUE(rs.walls[25]);
}

TEST(GridWorldLayouts, ObjectCountsAndEpisodeLengths) {
  struct Expect {
    const char* name;
    int objects, max_steps;
    bool random;
  };
  for (const Expect& e : std::vector<Expect>{{"sparse", 2, 50, false},
                                             {"long", 4, 1000, false},
                                             {"longer", 7, 2000, false},
                                             {"long_dense", 4, 2000, false},
                                             {"rand_dense", 4, 500, true},
                                             {"rand_long", 4, 1000, true},
                                             {"rand_small", 4, 500, true},
                                             {"rand_sparse", 3, 50, true},
                                             {"rand_very_dense", 1, 2000, true},
                                             {"rand_tiny", 2, 50, true}}) {
    const GridLayout g = make_grid_layout(e.name, 0);
    EXPECT_EQ(static_cast<int>(g.objects.size()), e.objects) << e.name;
    EXPECT_EQ(g.max_steps, e.max_steps) << e.name;
    EXPECT_EQ(g.random_positions, e.random) << e.name;
  }
}

TEST(GridWorldLayouts, EveryLayoutIsConsistent) {
  for (const std::string& name : grid_layout_names()) {
    for (int seed : {0, 1, 2}) {
      const GridLayout g = make_grid_layout(name, seed);
      ASSERT_EQ(static_cast<int>(g.walls.size()), g.rows * g.columns) << name;
      EXPECT_FALSE(g.walls[g.start_cell]) << name;
      std::set<int> used = {g.start_cell};
      for (const GridObjectPlacement& o : g.objects) {
        EXPECT_LT(o.type, static_cast<int>(g.types.size())) << name;
        if (o.cell < 0) continue;
        EXPECT_FALSE(g.walls[o.cell]) << name;
        EXPECT_TRUE(used.insert(o.cell).second) << name << ": two things on one cell";
      }
    }
  }
  EXPECT_THROW(make_grid_layout("huge", 0), std::invalid_argument);
}

TEST(GridWorldLayouts, SampledLayoutsFollowTheSeedAndKeepOneShape) {
  const GridLayout a = make_grid_layout("small", 5);
  const GridLayout b = make_grid_layout("small", 5);
  EXPECT_EQ(a.walls, b.walls);
  EXPECT_EQ(a.start_cell, b.start_cell);
  EXPECT_EQ(a.max_steps, b.max_steps);
  bool some_differ = false;
  for (int seed = 0; seed < 20; ++seed) {
    const GridLayout g = make_grid_layout("small", seed);
    EXPECT_EQ(g.rows, 6);
    EXPECT_EQ(g.types.size(), 3u);
    EXPECT_GE(g.max_steps, 20);
    EXPECT_LE(g.max_steps, 100);
    EXPECT_GE(g.objects.size(), 1u);
    EXPECT_LE(g.objects.size(), 3u);
    EXPECT_GE(g.types[0].reward, 0.f);  // the first object type is never harmful
    for (const GridObjectType& t : g.types) {
      EXPECT_GE(t.p_terminate, 0.01f - 1e-6f);
      EXPECT_LE(t.p_respawn, 0.1f + 1e-6f);
    }
    some_differ |= g.walls != a.walls || g.max_steps != a.max_steps;
  }
  EXPECT_TRUE(some_differ);
  EXPECT_EQ(make_env("gridworld(layout=small,layout_seed=3)")->spec().observation_shape,
            make_env("gridworld(layout=small,layout_seed=4)")->spec().observation_shape);
}

TEST(GridWorld, SpecOfDefault) {
  auto env = make_env("gridworld");
  EXPECT_EQ(env->spec().name, "gridworld(layout=dense,layout_seed=0)");
  // agent, wall, 3 object types, time
  EXPECT_EQ(env->spec().observation_shape, (std::vector<int>{11, 11, 6}));
  EXPECT_EQ(env->spec().num_actions, 5);
  EXPECT_EQ(env->spec().max_episode_steps, 500);
  EXPECT_EQ(env->spec().min_reward, -1.f);
  EXPECT_EQ(env->spec().max_reward, 1.f);
  EXPECT_THROW(make_env("gridworld(layout=nope)"), std::invalid_argument);
}

TEST(GridWorld, PickingAGoodObjectRewardsAndRemovesIt) {
  GridWorld env = make("dense");
  Rng rng(1);
  env.reset(rng);
  const GridLayout& g = env.layout();
  env.set_agent_cell(cell(g, 1, 2));  // left of object 0 at (1, 3)
  const StepOutcome out = env.step(kRight, rng);
  EXPECT_EQ(env.agent_cell(), cell(g, 1, 3));
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_FALSE(out.terminal);  // termination probability 0
  EXPECT_FALSE(env.object_present(0));
  EXPECT_TRUE(env.object_present(1));
  // Walking off and back onto the empty cell gives nothing.
  env.step(kLeft, rng);
  const bool back = env.object_present(0);
  const StepOutcome again = env.step(kRight, rng);
  EXPECT_EQ(again.reward, back ? 1.f : 0.f);
}

TEST(GridWorld, TerminationProbabilityOneEndsTheEpisode) {
  GridWorld env = make("sparse");
  Rng rng(2);
  env.reset(rng);
  const GridLayout& g = env.layout();
  env.set_agent_cell(cell(g, 10, 10));  // left of the +1 object at (10, 11)
  const StepOutcome out = env.step(kRight, rng);
  EXPECT_EQ(out.reward, 1.f);
  EXPECT_TRUE(out.terminal);
  EXPECT_FALSE(out.truncated);
}

TEST(GridWorld, TerminationProbabilityHalfEndsAboutHalfTheTime) {
  GridWorld env = make("long");  // type 1: [-1, 0.5, 1]
  Rng rng(3);
  env.reset(rng);
  const GridLayout& g = env.layout();
  int terminal = 0;
  const int trials = 4000;
  for (int t = 0; t < trials; ++t) {
    env.set_agent_cell(cell(g, 0, 9));
    env.set_object(1, cell(g, 0, 10), true);  // object 1 is the bad one at (0, 10)
    const StepOutcome out = env.step(kRight, rng);
    ASSERT_EQ(out.reward, -1.f);
    terminal += out.terminal;
  }
  EXPECT_NEAR(static_cast<double>(terminal) / trials, 0.5, 0.04);
}

TEST(GridWorld, TabularObjectsRespawnInPlaceWithTheirProbability) {
  GridWorld env = make("dense");  // type 2 (object 3 at (9, 2)): respawn 0.5
  Rng rng(4);
  env.reset(rng);
  const GridLayout& g = env.layout();
  const int home = cell(g, 9, 2);
  double total_wait = 0;
  const int trials = 2000;
  for (int t = 0; t < trials; ++t) {
    env.set_agent_cell(cell(g, 9, 1));
    env.set_object(3, home, true);
    ASSERT_EQ(env.step(kRight, rng).reward, -1.f);
    ASSERT_FALSE(env.object_present(3));
    env.step(kLeft, rng);  // off the cell, so the respawned object is not picked
    int wait = 1;
    while (!env.object_present(3)) {
      env.step(kStay, rng);
      ++wait;
    }
    EXPECT_EQ(env.object_cell(3), home);
    total_wait += wait;
  }
  // Steps after the pick until it is back: geometric with p = 0.5, mean 2.
  EXPECT_NEAR(total_wait / trials, 2.0, 0.1);
}

TEST(GridWorld, RandomObjectsRespawnOnVacantCells) {
  GridWorld env = make("rand_very_dense");  // one object, respawn 1
  Rng rng(5);
  env.reset(rng);
  std::set<int> seen;
  for (int t = 0; t < 200; ++t) {
    const int target = env.object_cell(0);
    env.set_agent_cell(target);  // standing on it: the next stay picks it
    ASSERT_EQ(env.step(kStay, rng).reward, 1.f);
    ASSERT_FALSE(env.object_present(0));
    env.step(kStay, rng);  // respawns now (probability 1), not under the agent
    ASSERT_TRUE(env.object_present(0));
    EXPECT_NE(env.object_cell(0), env.agent_cell());
    seen.insert(env.object_cell(0));
  }
  EXPECT_GT(seen.size(), 50u);
}

TEST(GridWorld, RandomLayoutsPlaceObjectsOnDistinctFreeCellsAtReset) {
  GridWorld env = make("rand_small");
  Rng rng(6);
  std::set<std::vector<int>> placements;
  for (int episode = 0; episode < 50; ++episode) {
    env.reset(rng);
    std::set<int> cells = {env.agent_cell()};
    std::vector<int> placement;
    for (int i = 0; i < env.num_objects(); ++i) {
      EXPECT_TRUE(env.object_present(i));
      EXPECT_FALSE(env.layout().walls[env.object_cell(i)]);
      EXPECT_TRUE(cells.insert(env.object_cell(i)).second);
      placement.push_back(env.object_cell(i));
    }
    placements.insert(placement);
  }
  EXPECT_GT(placements.size(), 45u);
}

TEST(GridWorld, WallsAndEdgesBlock) {
  GridWorld env = make("longer");
  Rng rng(7);
  env.reset(rng);
  const GridLayout& g = env.layout();
  env.set_agent_cell(cell(g, 0, 3));
  env.step(kRight, rng);  // (0, 4) is wall
  EXPECT_EQ(env.agent_cell(), cell(g, 0, 3));
  env.step(kUp, rng);  // the top edge
  EXPECT_EQ(env.agent_cell(), cell(g, 0, 3));
  env.set_agent_cell(cell(g, 2, 0));
  env.step(kLeft, rng);
  EXPECT_EQ(env.agent_cell(), cell(g, 2, 0));
  env.set_agent_cell(cell(g, 1, 3));  // the gap in row 1 lets it through
  env.step(kRight, rng);
  EXPECT_EQ(env.agent_cell(), cell(g, 1, 4));
  env.set_agent_cell(cell(g, 8, 0));
  env.step(kDown, rng);
  EXPECT_EQ(env.agent_cell(), cell(g, 8, 0));
}

TEST(GridWorld, TimeLimitTruncatesWithoutTerminating) {
  BatchedEnv batch = make_batched_env("gridworld(layout=sparse)", 1);
  batch.reset(0);
  for (int t = 1; t <= 50; ++t) {
    batch.step(std::vector<int>{kStay});  // the start cell has no object
    ASSERT_EQ(batch.rewards()[0], 0.f);
    ASSERT_EQ(batch.terminals()[0], 0);
    ASSERT_EQ(batch.truncations()[0], t == 50) << "step " << t;
  }
  EXPECT_EQ(batch.finished_length(0), 50);

  GridWorld env = make("sparse");
  Rng rng(0);
  env.reset(rng);
  StepOutcome out;
  for (int t = 0; t < 50; ++t) out = env.step(kStay, rng);
  EXPECT_TRUE(out.truncated);
  EXPECT_FALSE(out.terminal);
}

TEST(GridWorld, TimeFeatureCountsStepsAndCanBeTurnedOff) {
  const auto off = make_env("gridworld(time_feature=false)");
  EXPECT_EQ(off->spec().name, "gridworld(layout=dense,layout_seed=0,time_feature=false)");
  EXPECT_EQ(off->spec().observation_shape, (std::vector<int>{11, 11, 5}));

  GridWorld env = make("sparse");
  Rng rng(0);
  env.reset(rng);
  const int channels = env.spec().observation_shape[2];
  std::vector<float> obs(env.spec().observation_size());
  for (int t = 0; t < 3; ++t) env.step(kStay, rng);
  env.observe(obs.data());
  for (size_t i = channels - 1; i < obs.size(); i += channels) ASSERT_FLOAT_EQ(obs[i], 0.003f);

  // The observation a cut episode ended on shows the limit; the next
  // episode's first one starts again at 0.
  BatchedEnv batch = make_batched_env("gridworld(layout=sparse)", 1);
  batch.reset(0);
  for (int t = 1; t <= 50; ++t) batch.step(std::vector<int>{kStay});
  ASSERT_EQ(batch.truncations()[0], 1);
  EXPECT_FLOAT_EQ(batch.final_observation(0)[channels - 1], 0.05f);
  EXPECT_FLOAT_EQ(batch.observations()[channels - 1], 0.f);
}

TEST(GridWorld, ObservationHasAgentWallAndObjectChannels) {
  GridWorld env = make("longer", 0, /*time_feature=*/false);
  Rng rng(8);
  env.reset(rng);
  const GridLayout& g = env.layout();
  const int channels = 4;  // agent, wall, 2 object types
  ASSERT_EQ(env.spec().observation_shape, (std::vector<int>{9, 9, channels}));
  std::vector<float> obs(env.spec().observation_size());
  env.observe(obs.data());
  const auto at = [&](int r, int c, int k) { return obs[cell(g, r, c) * channels + k]; };
  EXPECT_EQ(at(4, 0, 0), 1.f);  // agent starts at (4, 0)
  EXPECT_EQ(at(0, 4, 1), 1.f);  // wall
  EXPECT_EQ(at(1, 4, 1), 0.f);  // gap
  EXPECT_EQ(at(2, 7, 2), 1.f);  // good object
  EXPECT_EQ(at(1, 3, 3), 1.f);  // bad object
  EXPECT_EQ(at(1, 3, 2), 0.f);
  float total = 0;
  for (float x : obs) total += x;
  EXPECT_EQ(total, 1.f + 7.f + 7.f);  // agent, 7 walls, 7 objects
}

TEST(GridWorld, SaveAndLoadContinueARandomLayoutExactly) {
  GridWorld a = make("rand_dense");
  Rng rng(9);
  a.reset(rng);
  for (int t = 0; t < 30; ++t) a.step(t % 5, rng);
  StateWriter w;
  a.save(w);
  const std::vector<uint8_t> bytes = w.take();
  Rng rng_copy = rng;
  GridWorld b = make("rand_dense");
  StateReader r(bytes);
  b.load(r);
  r.expect_end();
  for (int t = 0; t < 300; ++t) {
    const StepOutcome oa = a.step((t * 7) % 5, rng);
    const StepOutcome ob = b.step((t * 7) % 5, rng_copy);
    ASSERT_EQ(oa.reward, ob.reward);
    ASSERT_EQ(oa.terminal, ob.terminal);
    ASSERT_EQ(a.render(), b.render());
    if (oa.terminal || oa.truncated) {
      a.reset(rng);
      b.reset(rng_copy);
    }
  }
}

TEST(GridWorld, EveryLayoutRunsUnderTheConformanceRules) {
  // The shared conformance test covers the default layout; this walks every
  // layout through a batch and checks the bounds and the no-double-end rule.
  for (const std::string& name : grid_layout_names()) {
    BatchedEnv batch = make_batched_env("gridworld(layout=" + name + ")", 4);
    batch.reset(1);
    Rng rng(2);
    std::vector<int> actions(4);
    for (int t = 0; t < 3000; ++t) {
      for (int& a : actions) a = rng.uniform_int(5);
      batch.step(actions);
      for (int i = 0; i < 4; ++i) {
        ASSERT_GE(batch.rewards()[i], batch.spec().min_reward) << name;
        ASSERT_LE(batch.rewards()[i], batch.spec().max_reward) << name;
        ASSERT_FALSE(batch.terminals()[i] && batch.truncations()[i]) << name;
      }
    }
  }
}

}  // namespace
}  // namespace disco
