// Presets: each names settings that apply cleanly to its rule kinds, states
// its evidence, and an unknown name is refused naming the known ones.
#include "agent/train_presets.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "agent/train_settings.h"
#include "rules/rule_factory.h"

namespace disco {
namespace {

TEST(TrainPresets, EverySettingAppliesToItsRuleKind) {
  for (const TrainPreset& p : train_presets()) {
    EXPECT_FALSE(p.evidence.empty()) << p.name;
    for (const char* rule : {"disco103", "actor_critic", "policy_gradient", "ppo"}) {
      TrainSettings s = default_train_settings(rule);
      EXPECT_NO_THROW(apply_settings_json(preset_settings(p.name, rule), s)) << p.name << " " << rule;
    }
  }
}

TEST(TrainPresets, CatchTunesTheBaselinesAndKeepsDisco103sDefaults) {
  EXPECT_DOUBLE_EQ(preset_settings("catch", "ppo")["optimizer"]["learning_rate"].get<double>(), 1e-3);
  EXPECT_DOUBLE_EQ(preset_settings("catch", "actor_critic")["optimizer"]["learning_rate"].get<double>(),
                   3e-3);
  EXPECT_TRUE(preset_settings("catch", "disco103").empty());
  EXPECT_TRUE(preset_settings("catch", "some/rule.npz").empty());  // a Disco rule, as disco103
}

TEST(TrainPresets, MinatarLowersDisco103sLearningRateAndRaisesTheBaselines) {
  for (const char* rule : {"disco103", "some/rule.npz"}) {
    TrainSettings s = default_train_settings("disco103");
    apply_settings_json(preset_settings("minatar", rule), s);
    EXPECT_DOUBLE_EQ(s.optimizer.learning_rate, 1e-3) << rule;
    EXPECT_EQ(s.net.dense, default_train_settings("disco103").net.dense);  // nothing else changes
  }
  EXPECT_DOUBLE_EQ(preset_settings("minatar", "actor_critic")["optimizer"]["learning_rate"].get<double>(),
                   3e-3);
  EXPECT_DOUBLE_EQ(preset_settings("minatar", "ppo")["optimizer"]["learning_rate"].get<double>(), 1e-3);
  EXPECT_TRUE(preset_settings("minatar", "policy_gradient").empty());  // not tuned: its defaults
}

TEST(TrainPresets, CrafterGivesTheReplayRulesOneEnvironmentPerReplayedTrajectory) {
  for (const char* rule : {"disco103", "some/rule.npz", "actor_critic"}) {
    TrainSettings s = default_train_settings(rule_kind(rule) == "disco" ? "disco103" : rule);
    apply_settings_json(preset_settings("crafter", rule), s);
    EXPECT_EQ(s.num_envs, 64) << rule;
    EXPECT_EQ(s.num_envs, s.batch_size) << rule;  // each frame replayed about once
  }
  EXPECT_TRUE(preset_settings("crafter", "ppo").empty());
}

TEST(TrainPresets, UnknownNamesAreRefusedNamingTheKnownOnes) {
  try {
    preset_settings("minatar_xl", "ppo");
    FAIL() << "accepted an unknown preset";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known: catch, minatar, crafter"), std::string::npos) << e.what();
  }
  EXPECT_THROW(preset_settings("catch", "dqn"), std::invalid_argument);  // unknown rule
}

}  // namespace
}  // namespace disco
