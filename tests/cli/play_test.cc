// `disco play` run through the built binary (DISCO_BINARY) without a
// terminal: a random agent prints plain frames and stops; keyboard play
// refuses with exit code 2 instead of waiting for keys.
#include <gtest/gtest.h>

#include <string>

#include "run_disco.h"

namespace {

using disco_test::Result;
using disco_test::run_disco;

int count(const std::string& s, const std::string& part) {
  int n = 0;
  for (size_t at = s.find(part); at != std::string::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

TEST(Play, RandomAgentOnCatchPrintsFramesAndStopsAfterTwoEpisodes) {
  const Result r = run_disco("play --env catch --policy random --episodes 2 --seed 3");
  ASSERT_EQ(r.code, 0) << r.output;
  // Catch (10 rows) lasts 9 steps: a start frame and 9 step frames per episode.
  EXPECT_EQ(count(r.output, "--- frame "), 20) << r.output;
  EXPECT_EQ(count(r.output, "episode 1 ended"), 1) << r.output;
  EXPECT_EQ(count(r.output, "episode 2 ended"), 1) << r.output;
  EXPECT_EQ(count(r.output, "episode 3"), 0) << r.output;
  // The board: the paddle '=' in a frame, and the action names.
  EXPECT_NE(r.output.find("="), std::string::npos);
  EXPECT_NE(r.output.find("actions: left stay right"), std::string::npos) << r.output;
  // It ends: the summary is the last line.
  const std::string body = r.output.substr(0, r.output.find_last_not_of('\n') + 1);
  EXPECT_EQ(body.substr(body.rfind('\n') + 1).rfind("played 2 episodes", 0), 0u) << r.output;
}

TEST(Play, SameSeedSameGame) {
  const Result a = run_disco("play --env minatar_space_invaders --policy random --episodes 1 --seed 5");
  const Result b = run_disco("play --env minatar_space_invaders --policy random --episodes 1 --seed 5");
  ASSERT_EQ(a.code, 0) << a.output;
  EXPECT_EQ(a.output, b.output);
  EXPECT_NE(a.output.find("legend:"), std::string::npos);
}

TEST(Play, RandomAgentOnCrafterShowsTheViewActionsAndAchievements) {
  const Result r = run_disco("play --env 'crafter(length=6)' --policy random --episodes 1 --seed 2");
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(count(r.output, "--- frame "), 7) << r.output;
  EXPECT_EQ(count(r.output, "inventory:"), 7) << r.output;
  EXPECT_EQ(count(r.output, "achievements:"), 7) << r.output;
  EXPECT_NE(r.output.find("actions: noop move_left move_right move_up move_down do sleep"),
            std::string::npos) << r.output;
  EXPECT_NE(r.output.find("episode 1 cut by the time limit: return"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(" steps, unlocked "), std::string::npos) << r.output;
}

TEST(Play, KeyboardWithoutATerminalIsAUsageError) {
  const Result r = run_disco("play --env catch");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.output.find("terminal"), std::string::npos) << r.output;
}

TEST(Play, BadOptionsAreUsageErrors) {
  EXPECT_EQ(run_disco("play --env no_such_env --policy random").code, 2);
  EXPECT_EQ(run_disco("play --env catch --policy smart").code, 2);
  EXPECT_EQ(run_disco("play --policy random").code, 2);  // --env is required
}

}  // namespace
