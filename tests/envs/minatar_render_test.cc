// MinAtar pictures for people (`disco play`): glyphs per channel and a legend.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "envs/registry.h"

namespace disco {
namespace {

int count(const std::string& s, char c) { return static_cast<int>(std::count(s.begin(), s.end(), c)); }

TEST(MinAtarRender, BreakoutShowsBricksPaddleBallAndLegend) {
  auto env = make_env("minatar_breakout");
  Rng rng(3);
  env->reset(rng);
  const std::string picture = env->render();
  const std::string board = picture.substr(0, 110);  // 10 rows of 10 cells and newlines
  // 30 bricks in rows 1-3; the ball starts in row 3, drawn over a brick.
  EXPECT_EQ(count(board, '#'), 29) << picture;
  EXPECT_EQ(count(board, '='), 1) << "one paddle cell";
  EXPECT_EQ(count(board, 'o'), 1) << "one ball cell";
  EXPECT_NE(picture.find("= paddle"), std::string::npos);
  EXPECT_EQ(count(picture, '\n'), 11);  // 10 rows and the legend
}

TEST(MinAtarRender, EveryGameRendersTenRowsOfTenCells) {
  for (const char* name : {"minatar_breakout", "minatar_asterix", "minatar_freeway", "minatar_seaquest",
                           "minatar_space_invaders"}) {
    auto env = make_env(name);
    Rng rng(1);
    env->reset(rng);
    for (int t = 0; t < 20; ++t) env->step(t % env->spec().num_actions, rng);
    const std::string picture = env->render();
    ASSERT_GE(count(picture, '\n'), 10) << name;
    for (int r = 0; r < 10; ++r) {
      const size_t start = r == 0 ? 0 : [&] {
        size_t pos = 0;
        for (int k = 0; k < r; ++k) pos = picture.find('\n', pos) + 1;
        return pos;
      }();
      EXPECT_GE(picture.find('\n', start) - start, 10u) << name << " row " << r << "\n" << picture;
    }
  }
}

}  // namespace
}  // namespace disco
