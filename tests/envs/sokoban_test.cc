#include "envs/sokoban/sokoban.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <unordered_map>
#include <vector>

#include "envs/registry.h"
#include "envs/sokoban/sokoban_level_file.h"
#include "../cli/scratch.h"

namespace disco {
namespace {

constexpr int kUp = 0, kDown = 1, kLeft = 2, kRight = 3;

std::string write_temp(const std::string& text) {
  // In this test process's own folder, removed when it exits.
  static int counter = 0;
  const std::string path = (disco_test::scratch_root("disco_sokoban_") /
                            ("levels_" + std::to_string(counter++) + ".txt")).string();
  std::ofstream(path) << text;
  return path;
}

SokobanLevel level_from(const std::vector<std::string>& map, int rows, int columns) {
  std::string text = "; 0\n";
  for (const std::string& line : map) text += line + "\n";
  return load_sokoban_levels(write_temp(text), rows, columns).at(0);
}

Sokoban make(int rows, int columns, int boxes = 4, int max_steps = 120) {
  SokobanSettings s;
  s.rows = rows;
  s.columns = columns;
  s.boxes = boxes;
  s.max_steps = max_steps;
  return Sokoban(s);
}

// Breadth-first search over (player, box cells); returns a shortest action
// sequence solving `level`, or nothing if none exists.
std::optional<std::vector<int>> solve(const SokobanLevel& level) {
  const int columns = level.columns;
  const int step[4] = {-columns, columns, -1, 1};
  std::vector<int> boxes;
  for (int c = 0; c < static_cast<int>(level.cells.size()); ++c)
    if (level.cells[c] & kSokobanBox) boxes.push_back(c);
  using State = std::vector<int>;  // player, then sorted boxes
  const auto solved = [&](const State& s) {
    for (size_t i = 1; i < s.size(); ++i)
      if (!(level.cells[s[i]] & kSokobanTarget)) return false;
    return true;
  };
  std::map<State, std::pair<State, int>> parent;
  State start = {level.player};
  start.insert(start.end(), boxes.begin(), boxes.end());
  std::queue<State> frontier;
  frontier.push(start);
  parent[start] = {{}, -1};
  while (!frontier.empty()) {
    const State s = frontier.front();
    frontier.pop();
    if (solved(s)) {
      std::vector<int> actions;
      for (State at = s; parent[at].second >= 0; at = parent[at].first) actions.push_back(parent[at].second);
      std::reverse(actions.begin(), actions.end());
      return actions;
    }
    for (int a = 0; a < 4; ++a) {
      const int next = s[0] + step[a];
      if (level.cells[next] & kSokobanWall) continue;
      State t = s;
      t[0] = next;
      auto box = std::find(t.begin() + 1, t.end(), next);
      if (box != t.end()) {
        const int beyond = next + step[a];
        if ((level.cells[beyond] & kSokobanWall) || std::find(t.begin() + 1, t.end(), beyond) != t.end())
          continue;
        *box = beyond;
        std::sort(t.begin() + 1, t.end());
      }
      if (parent.emplace(t, std::make_pair(s, a)).second) frontier.push(t);
    }
  }
  return std::nullopt;
}

TEST(Sokoban, SpecOfDefault) {
  auto env = make_env("sokoban");
  EXPECT_EQ(env->spec().name, "sokoban(boxes=4,columns=10,max_steps=120,rows=10)");
  EXPECT_EQ(env->spec().observation_shape, (std::vector<int>{10, 10, 7}));
  EXPECT_EQ(env->spec().num_actions, 4);
  EXPECT_EQ(env->spec().max_episode_steps, 120);
  EXPECT_FLOAT_EQ(env->spec().min_reward, -1.1f);
  EXPECT_FLOAT_EQ(env->spec().max_reward, 10.9f);
  EXPECT_EQ(make_env("sokoban(size=8)")->spec().observation_shape, (std::vector<int>{8, 8, 7}));
  EXPECT_EQ(make_env("sokoban(size=8,columns=9)")->spec().observation_shape,
            (std::vector<int>{8, 9, 7}));
  EXPECT_THROW(make_env("sokoban(boxes=0)"), std::invalid_argument);
  EXPECT_THROW(make_env("sokoban(size=5,boxes=12)"), std::invalid_argument);
}

TEST(Sokoban, PushesOntoAndOffTargetsWithTheirRewards) {
  Sokoban env = make(5, 7, 2);
  env.set_level(level_from({"#######",
                            "#@$. .#",
                            "#   $ #",
                            "#     #",
                            "#######"},
                           5, 7));
  Rng rng(0);
  // Right: the box at (1,2) goes onto the target at (1,3): -0.1 + 1.
  StepOutcome out = env.step(kRight, rng);
  EXPECT_FLOAT_EQ(out.reward, 0.9f);
  EXPECT_FALSE(out.terminal);
  EXPECT_EQ(env.level().player, 1 * 7 + 2);
  // Right again: pushed off the target onto floor: -0.1 - 1.
  out = env.step(kRight, rng);
  EXPECT_FLOAT_EQ(out.reward, -1.1f);
  // A plain walk: -0.1.
  out = env.step(kDown, rng);
  EXPECT_FLOAT_EQ(out.reward, -0.1f);
  EXPECT_EQ(env.level().player, 2 * 7 + 3);
}

TEST(Sokoban, BoxesDoNotMoveIntoWallsOrOtherBoxes) {
  Sokoban env = make(5, 7, 2);
  const SokobanLevel start = level_from({"#######",
                                         "#@$$..#",
                                         "#$    #",
                                         "#.    #",
                                         "#######"},
                                        5, 7);
  env.set_level(start);
  Rng rng(0);
  // Two boxes in a row: nothing moves.
  StepOutcome out = env.step(kRight, rng);
  EXPECT_FLOAT_EQ(out.reward, -0.1f);
  EXPECT_EQ(env.level().cells, start.cells);
  EXPECT_EQ(env.level().player, start.player);
  // Into the wall above: nothing moves.
  env.step(kUp, rng);
  EXPECT_EQ(env.level().player, start.player);
  // Box against the wall below it? (2,1) box, (3,1) target, (4,1) wall: the
  // push down works once, then the box sits against the wall.
  out = env.step(kDown, rng);
  EXPECT_FLOAT_EQ(out.reward, 0.9f);
  out = env.step(kDown, rng);
  EXPECT_FLOAT_EQ(out.reward, -0.1f);
  EXPECT_EQ(env.level().player, 2 * 7 + 1);
  EXPECT_TRUE(env.level().cells[3 * 7 + 1] & kSokobanBox);
}

TEST(Sokoban, LastBoxOnTargetEndsTheEpisodeWithTheBonus) {
  Sokoban env = make(5, 6, 1);
  env.set_level(level_from({"######",
                            "#@$ .#",
                            "######"},
                           5, 6));
  Rng rng(0);
  StepOutcome out = env.step(kRight, rng);
  EXPECT_FLOAT_EQ(out.reward, -0.1f);
  EXPECT_FALSE(out.terminal);
  out = env.step(kRight, rng);
  EXPECT_FLOAT_EQ(out.reward, -0.1f + 1.f + 10.f);
  EXPECT_TRUE(out.terminal);
  EXPECT_FALSE(out.truncated);
}

TEST(Sokoban, TimeLimitTruncatesWithoutTerminating) {
  Sokoban env = make(5, 6, 1, 5);
  env.set_level(level_from({"######", "#@$ .#", "######"}, 5, 6));
  Rng rng(0);
  for (int t = 1; t <= 5; ++t) {
    const StepOutcome out = env.step(kUp, rng);  // into the wall
    EXPECT_FALSE(out.terminal);
    EXPECT_EQ(out.truncated, t == 5);
  }
  BatchedEnv batch = make_batched_env("sokoban(max_steps=7)", 1);
  batch.reset(3);
  for (int t = 1; t <= 7; ++t) {
    batch.step(std::vector<int>{t % 4});
    if (batch.terminals()[0]) GTEST_SKIP() << "solved in under 7 steps";
    EXPECT_EQ(batch.truncations()[0], t == 7);
  }
}

TEST(Sokoban, ObservationIsOneHotCellStates) {
  Sokoban env = make(5, 7, 2);
  env.set_level(level_from({"#+$*.$", "# #####"}, 5, 7));
  std::vector<float> obs(env.spec().observation_size());
  env.observe(obs.data());
  const auto channel_of = [&](int cell) {
    int found = -1;
    for (int k = 0; k < 7; ++k) {
      if (obs[cell * 7 + k] == 1.f) {
        EXPECT_EQ(found, -1) << "two channels at cell " << cell;
        found = k;
      }
    }
    return found;
  };
  // wall, player on target, box, box on target, target, box, padding wall
  const int expected[7] = {0, 6, 3, 4, 2, 3, 0};
  for (int c = 0; c < 7; ++c) EXPECT_EQ(channel_of(c), expected[c]) << c;
  EXPECT_EQ(channel_of(1 * 7 + 1), 1);  // floor
  EXPECT_EQ(channel_of(3 * 7 + 3), 0);  // padded row
  float total = 0;
  for (float x : obs) total += x;
  EXPECT_EQ(total, 35.f);
}

void expect_well_formed(const SokobanLevel& level, int boxes) {
  EXPECT_EQ(level.count(kSokobanBox), boxes);
  EXPECT_EQ(level.count(kSokobanTarget), boxes);
  EXPECT_EQ(level.count(kSokobanBox | kSokobanTarget), 0) << "a box starts on a target";
  EXPECT_EQ(level.cells[level.player] & (kSokobanWall | kSokobanBox), 0);
  for (int r = 0; r < level.rows; ++r) {
    for (int c = 0; c < level.columns; ++c) {
      if (r == 0 || c == 0 || r == level.rows - 1 || c == level.columns - 1) {
        EXPECT_TRUE(level.cells[r * level.columns + c] & kSokobanWall);
      }
    }
  }
}

TEST(Sokoban, GeneratedLevelsAreWellFormedAndFollowTheSeed) {
  Sokoban a = make(10, 10);
  Sokoban b = make(10, 10);
  std::set<std::vector<uint8_t>> distinct;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    Rng ra(seed), rb(seed);
    a.reset(ra);
    b.reset(rb);
    expect_well_formed(a.level(), 4);
    EXPECT_EQ(a.level().cells, b.level().cells);
    EXPECT_EQ(a.level().player, b.level().player);
    distinct.insert(a.level().cells);
  }
  EXPECT_EQ(distinct.size(), 100u);
}

TEST(Sokoban, GeneratedSmallLevelsAreSolvableAndTheSolutionPaysTheBonus) {
  for (const auto& [size, boxes] : std::vector<std::pair<int, int>>{{6, 1}, {7, 2}, {8, 2}, {8, 3}}) {
    Sokoban env = make(size, size, boxes, 1000);
    Rng rng(size * 10 + boxes);
    for (int trial = 0; trial < 10; ++trial) {
      env.reset(rng);
      expect_well_formed(env.level(), boxes);
      const auto solution = solve(env.level());
      ASSERT_TRUE(solution.has_value()) << "unsolvable level:\n" << env.render();
      ASSERT_FALSE(solution->empty());
      StepOutcome out;
      for (size_t i = 0; i < solution->size(); ++i) {
        out = env.step((*solution)[i], rng);
        ASSERT_EQ(out.terminal, i + 1 == solution->size());
      }
      EXPECT_NEAR(out.reward, 10.9f, 1e-5f);
    }
  }
}

TEST(Sokoban, SaveAndLoadContinueExactly) {
  Sokoban a = make(10, 10);
  Rng rng(4);
  a.reset(rng);
  for (int t = 0; t < 13; ++t) a.step(t % 4, rng);
  StateWriter w;
  a.save(w);
  const std::vector<uint8_t> bytes = w.take();
  Sokoban b = make(10, 10);
  StateReader r(bytes);
  b.load(r);
  r.expect_end();
  EXPECT_EQ(b.steps(), 13);
  for (int t = 0; t < 100; ++t) {
    const StepOutcome oa = a.step((t * 3) % 4, rng);
    const StepOutcome ob = b.step((t * 3) % 4, rng);
    ASSERT_EQ(oa.reward, ob.reward);
    ASSERT_EQ(oa.terminal, ob.terminal);
    ASSERT_EQ(oa.truncated, ob.truncated);
    ASSERT_EQ(a.render(), b.render());
  }
}

TEST(SokobanLevelsFile, DrawsEveryLevelOfABoxobanFile) {
  const std::string path = write_temp(
      "; 0\n"
      "#######\n"
      "#@ $ .#\n"
      "#######\n"
      "\n"
      "; 1\n"
      "#######\n"
      "#. $ @#\n"
      "#######\n");
  auto env = make_env("sokoban(size=7,levels_file=" + path + ")");
  EXPECT_EQ(env->spec().name, "sokoban(boxes=4,columns=7,levels_file=" + path + ",max_steps=120,rows=7)");
  auto& sokoban = static_cast<Sokoban&>(*env);
  Rng rng(0);
  std::set<int> players;
  for (int i = 0; i < 40; ++i) {
    env->reset(rng);
    players.insert(sokoban.level().player);
    EXPECT_EQ(sokoban.level().count(kSokobanBox), 1);
  }
  EXPECT_EQ(players, (std::set<int>{8, 12}));
  // Level 0 solved in three steps, with the file's single box.
  while (sokoban.level().player != 8) env->reset(rng);
  env->step(kRight, rng);
  env->step(kRight, rng);
  const StepOutcome out = env->step(kRight, rng);
  EXPECT_TRUE(out.terminal);
  EXPECT_NEAR(out.reward, 10.9f, 1e-5f);
}

TEST(SokobanLevelsFile, BadFilesAreClearErrors) {
  const auto message = [](const std::string& text, int size = 7) -> std::string {
    try {
      load_sokoban_levels(write_temp(text), size, size);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message("; 0\n#####\n#@$x#\n#####\n").find("unknown character 'x'"), std::string::npos);
  EXPECT_NE(message("; 0\n#####\n#@$.#\n#@  #\n#####\n").find("2 players"), std::string::npos);
  EXPECT_NE(message("; 0\n#####\n#@$ #\n#####\n").find("1 boxes but 0 targets"), std::string::npos);
  EXPECT_NE(message("; 0\n#####\n#@ .#\n#####\n").find("no box"), std::string::npos);
  EXPECT_NE(message("; 0\n########\n#@$.   #\n########\n").find("more than columns=7"),
            std::string::npos);
  EXPECT_NE(message("").find("no level"), std::string::npos);
  const std::string line_eight = message("; 0\n#####\n#@$.#\n#####\n\n; 1\n#####\n#@$.?\n");
  EXPECT_NE(line_eight.find("line 8"), std::string::npos) << line_eight;
  EXPECT_THROW(make_env("sokoban(levels_file=/no/such/file.txt)"), std::invalid_argument);
}

}  // namespace
}  // namespace disco
