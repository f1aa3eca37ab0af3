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

TEST(TrainSettings, KeysThatWouldDoNothingAreRefusedByName) {
  auto expect_refused = [](const std::string& rule, const std::string& json,
                           const std::string& says) {
    auto s = default_train_settings(rule);
    try {
      apply_settings_json(nlohmann::json::parse(json), s);
      ADD_FAILURE() << json << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  // PPO is on-policy: no replay to sample batches from or to warm up.
  expect_refused("ppo", R"({"batch_size": 8})", "batch_size would do nothing without replay");
  expect_refused("ppo", R"({"min_replay": 8, "batch_size": 8})", "batch_size, min_replay");
  // Disco103 replays whole trajectories: no minibatches.
  expect_refused("disco103", R"({"minibatches": 2})", "minibatches would do nothing with replay");
  // Turning replay off in the same file makes minibatches count and batch_size not.
  expect_refused("disco103", R"({"replay_capacity": 0, "batch_size": 8})", "batch_size");
  auto s = default_train_settings("disco103");
  apply_settings_json(nlohmann::json::parse(R"({"replay_capacity": 0, "minibatches": 2})"), s);
  EXPECT_EQ(s.minibatches, 2);
  // settings.json lists only keys that count, so it can be used as a config;
  // settings.json files of older runs list every key and still resume.
  const auto ppo = settings_to_json(default_train_settings("ppo"));
  EXPECT_FALSE(ppo.contains("batch_size"));
  EXPECT_FALSE(ppo.contains("min_replay"));
  EXPECT_TRUE(ppo.contains("minibatches"));
  EXPECT_FALSE(settings_to_json(default_train_settings("disco103")).contains("minibatches"));
  auto old = ppo;
  old["batch_size"] = 4;
  auto resumed = default_train_settings("ppo");
  EXPECT_NO_THROW(apply_settings_json(old, resumed, UnusedKeys::kIgnore));
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

TEST(TrainSettings, YamlListItemsKeepQuotedCommas) {
  // Found by fuzz target config: list items were cut at every comma.
  const auto j = parse_yaml_subset(
      "envs: [\"catch(rows=5,columns=5)\", 'deep_sea(size=4,randomize_actions=false)', "
      "minatar_breakout]\nsizes: [1, 2]\n",
      "test.yaml");
  EXPECT_EQ(j["envs"], (nlohmann::json{"catch(rows=5,columns=5)",
                                       "deep_sea(size=4,randomize_actions=false)",
                                       "minatar_breakout"}));
  EXPECT_EQ(j["sizes"], (nlohmann::json{1, 2}));
  EXPECT_THROW(parse_yaml_subset("envs: [\"catch(rows=5]\n", "test.yaml"), std::invalid_argument);
}

TEST(TrainSettings, NumbersThatDoNotFitTheirFieldAreRefused) {
  // Found by fuzz target config: a plain cast wrapped 99999999999 to
  // 1215752191, dropped fractions, and was undefined for 1e300.
  for (const char* text :
       {R"({"num_envs": 99999999999})", R"({"num_envs": 1e300})", R"({"steps": 2.5})",
        R"({"seed": -1})", R"({"net": {"dense": [64, 1e300]}})", R"({"log_every": -3000000000})"}) {
    auto s = default_train_settings("actor_critic");
    EXPECT_THROW(apply_settings_json(nlohmann::json::parse(text), s), std::invalid_argument) << text;
  }
  auto s = default_train_settings("actor_critic");
  apply_settings_json(nlohmann::json::parse(R"({"steps": 1e5, "optimizer": {"eps": 1e-300}})"), s);
  EXPECT_EQ(s.steps, 100000);
  EXPECT_DOUBLE_EQ(s.optimizer.eps, 1e-300);
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
