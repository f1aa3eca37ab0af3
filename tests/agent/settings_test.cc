#include "agent/train_settings.h"

#include <gtest/gtest.h>

#include "io/config.h"

namespace disco {
namespace {

TEST(TrainSettings, DefaultsFollowTheReferenceNotebookForDisco) {
  const auto s = default_train_settings("disco103");
  EXPECT_EQ(s.num_envs, 2);
  EXPECT_EQ(s.rollout_length, 29);
  EXPECT_EQ(s.batch_size, 64);
  EXPECT_EQ(s.replay_capacity, 1024);
  EXPECT_DOUBLE_EQ(s.optimizer.learning_rate, 1e-2);
  EXPECT_EQ(s.net.dense, (std::vector<int64_t>{512, 512}));
  const auto ppo = default_train_settings("ppo");
  EXPECT_EQ(ppo.replay_capacity, 0);
  EXPECT_DOUBLE_EQ(ppo.optimizer.max_grad_norm, 0.5);
  EXPECT_THROW(default_train_settings("sarsa"), std::invalid_argument);
}

TEST(TrainSettings, JsonOverridesAndRejectsUnknownKeys) {
  auto s = default_train_settings("actor_critic");
  apply_settings_json(nlohmann::json::parse(
                          R"({"steps": 7, "net": {"dense": [16]}, "optimizer": {"learning_rate": 0.1}})"),
                      s);
  EXPECT_EQ(s.steps, 7);
  EXPECT_EQ(s.net.dense, (std::vector<int64_t>{16}));
  EXPECT_DOUBLE_EQ(s.optimizer.learning_rate, 0.1);
  EXPECT_THROW(apply_settings_json(nlohmann::json::parse(R"({"stepz": 7})"), s),
               std::invalid_argument);
  EXPECT_THROW(apply_settings_json(nlohmann::json::parse(R"({"net": {"widths": [1]}})"), s),
               std::invalid_argument);
  EXPECT_THROW(apply_settings_json(nlohmann::json::parse(R"({"steps": "many"})"), s),
               std::invalid_argument);
  // Round trip through settings.json.
  TrainSettings back = default_train_settings("ppo");
  apply_settings_json(settings_to_json(s), back);
  EXPECT_EQ(settings_to_json(back), settings_to_json(s));
}

TEST(TrainSettings, YamlSubsetParses) {
  const auto j = parse_yaml_subset(
      "# a run\nsteps: 300\nenv: \"catch(rows=5,columns=5)\"\nnet:\n  dense: [32, 32]\n"
      "optimizer:\n  learning_rate: 3e-3  # faster\n",
      "test.yaml");
  auto s = default_train_settings("actor_critic");
  apply_settings_json(j, s);
  EXPECT_EQ(s.steps, 300);
  EXPECT_EQ(s.env, "catch(rows=5,columns=5)");
  EXPECT_EQ(s.net.dense, (std::vector<int64_t>{32, 32}));
  EXPECT_DOUBLE_EQ(s.optimizer.learning_rate, 3e-3);
}

TEST(TrainSettings, ValidationNamesTheProblem) {
  auto s = default_train_settings("disco103");
  s.steps = 0;
  EXPECT_THROW(validate_settings(s), std::invalid_argument);
  s = default_train_settings("ppo");
  s.minibatches = 3;  // 4 envs do not split in 3
  EXPECT_THROW(validate_settings(s), std::invalid_argument);
}

}  // namespace
}  // namespace disco
