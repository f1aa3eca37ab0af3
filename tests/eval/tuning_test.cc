// Tuning grids: configurations as the cartesian product of each rule's
// entry, equal budgets enforced, settings merged, the best configuration
// chosen by IQM.
#include "eval/tuning.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace disco {
namespace {

using nlohmann::json;

void expect_refused(const json& grid, const std::vector<std::string>& rules, const std::string& part) {
  try {
    tuning_configurations(grid, rules);
    FAIL() << "accepted " << grid.dump();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Tuning, ConfigurationsAreTheProductWithTheLastKeyFastest) {
  const json grid = json::parse(R"({
      "disco103": {"optimizer.learning_rate": [0.01, 0.0003], "epochs": [1, 4]},
      "ppo": {"net.dense": [[64, 64], [256, 256]], "epochs": [4, 8]}})");
  const auto configs = tuning_configurations(grid, {"disco103", "ppo"});
  ASSERT_EQ(configs.at("disco103").size(), 4u);
  ASSERT_EQ(configs.at("ppo").size(), 4u);
  // Keys in name order: epochs, then optimizer.learning_rate (fastest).
  EXPECT_EQ(configs.at("disco103")[0], json::parse(R"({"epochs": 1, "optimizer": {"learning_rate": 0.01}})"));
  EXPECT_EQ(configs.at("disco103")[1], json::parse(R"({"epochs": 1, "optimizer": {"learning_rate": 0.0003}})"));
  EXPECT_EQ(configs.at("disco103")[2], json::parse(R"({"epochs": 4, "optimizer": {"learning_rate": 0.01}})"));
  EXPECT_EQ(configs.at("ppo")[3], json::parse(R"({"epochs": 8, "net": {"dense": [256, 256]}})"));
}

TEST(Tuning, AnNpzRuleIsNamedByItsStem) {
  const json grid = json::parse(R"({"mine": {"epochs": [1, 2]}, "ppo": {"epochs": [4, 8]}})");
  const auto configs = tuning_configurations(grid, {"runs/x/mine.npz", "ppo"});
  EXPECT_EQ(configs.at("runs/x/mine.npz").size(), 2u);
}

TEST(Tuning, RefusesUnequalBudgetsAndMalformedEntries) {
  expect_refused(json::parse(R"({"ppo": {"epochs": [4, 8]}, "actor_critic": {"epochs": [1]}})"),
                 {"ppo", "actor_critic"}, "different tuning budgets");
  expect_refused(json::parse(R"({"ppo": {"epochs": [4, 8]}})"), {"ppo", "actor_critic"},
                 "no entry for rule 'actor_critic'");
  expect_refused(json::parse(R"({"ppo": {"epochs": [4]}, "dqn": {"epochs": [4]}})"), {"ppo"},
                 "names rule 'dqn'");
  expect_refused(json::parse(R"({"ppo": {"epochs": 4}})"), {"ppo"}, "non-empty list");
  expect_refused(json::parse(R"({"ppo": {"epochs": []}})"), {"ppo"}, "non-empty list");
  expect_refused(json::parse(R"({"ppo": {}})"), {"ppo"}, "must map settings keys");
  expect_refused(json::parse(R"([1, 2])"), {"ppo"}, "must map rules");
}

TEST(Tuning, MergeKeepsBaseKeysTheOverrideDoesNotName) {
  const json base = json::parse(R"({"epochs": 2, "optimizer": {"learning_rate": 0.1, "clip": 1}})");
  const json merged = merge_settings(base, json::parse(R"({"optimizer": {"learning_rate": 0.5}})"));
  EXPECT_EQ(merged, json::parse(R"({"epochs": 2, "optimizer": {"learning_rate": 0.5, "clip": 1}})"));
  EXPECT_EQ(merge_settings(json::object(), json::object()), json::object());
}

TEST(Tuning, LabelsFlattenNestedKeys) {
  EXPECT_EQ(configuration_label(json::parse(R"({"epochs": 1, "optimizer": {"learning_rate": 0.5}})")),
            "epochs=1, optimizer.learning_rate=0.5");
  EXPECT_EQ(configuration_label(json::object()), "defaults");
}

TEST(Tuning, ChoosesTheHighestIqmAndTheFirstOfEquals) {
  // IQM of 4 values: the mean of the middle two.
  const std::vector<TaskScores> scores = {{{0, 1, 2, 3}}, {{0, 2, 3, 9}}, {{-5, 2, 3, 100}}};
  const TuningResult r = choose_configuration(scores);
  ASSERT_EQ(r.iqm.size(), 3u);
  EXPECT_DOUBLE_EQ(r.iqm[0], 1.5);
  EXPECT_DOUBLE_EQ(r.iqm[1], 2.5);
  EXPECT_DOUBLE_EQ(r.iqm[2], 2.5);
  EXPECT_EQ(r.chosen, 1);
  EXPECT_THROW(choose_configuration({}), std::invalid_argument);
}

}  // namespace
}  // namespace disco
