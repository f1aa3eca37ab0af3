// Environments added at run time (the Python binding's path), and batch
// buffers that keep their addresses through restore_state.
#include <gtest/gtest.h>

#include <stdexcept>

#include "envs/catch/catch.h"
#include "envs/registry.h"

namespace disco {
namespace {

EnvEntry catch_entry(const std::string& name, int rows) {
  EnvEntry e;
  e.name = name;
  e.description = "a test catch";
  e.make = [rows](EnvParams&) {
    CatchSettings s;
    s.rows = rows;
    return std::make_unique<Catch>(s);
  };
  return e;
}

TEST(RuntimeRegistry, AddedEnvironmentsAreMadeByNameAndCanBeReplaced) {
  EXPECT_THROW(make_env("test_runtime_catch"), std::invalid_argument);
  add_runtime_env(catch_entry("test_runtime_catch", 4));
  EXPECT_EQ(make_env("test_runtime_catch")->spec().observation_shape, (std::vector<int>{4, 5}));
  add_runtime_env(catch_entry("test_runtime_catch", 6));  // the same name again replaces it
  EXPECT_EQ(make_batched_env("test_runtime_catch", 3).spec().observation_shape,
            (std::vector<int>{6, 5}));
  int found = 0;
  for (const auto& e : runtime_envs()) found += e.name == "test_runtime_catch";
  EXPECT_EQ(found, 1);
  // Parameters an added environment does not read are refused as for built-in ones.
  EXPECT_THROW(make_env("test_runtime_catch(rows=3)"), std::invalid_argument);
}

TEST(RuntimeRegistry, BuiltInNamesCannotBeTaken) {
  try {
    add_runtime_env(catch_entry("catch", 4));
    FAIL() << "a built-in name was taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'catch' is taken"), std::string::npos) << e.what();
  }
  EXPECT_EQ(make_env("catch")->spec().observation_shape, (std::vector<int>{10, 5}));
}

TEST(BatchedEnvBuffers, RestoreStateWritesIntoTheSameBuffers) {
  BatchedEnv env = make_batched_env("catch(rows=5,columns=5)", 3);
  env.reset(7);
  const float* obs = env.observations();
  const float* rewards = env.rewards();
  const auto saved = env.save_state();
  std::vector<float> after(obs, obs + 3 * 25);
  for (int i = 0; i < 4; ++i) env.step(std::vector<int>{0, 1, 2});
  env.restore_state(saved);
  EXPECT_EQ(env.observations(), obs);
  EXPECT_EQ(env.rewards(), rewards);
  EXPECT_EQ(std::vector<float>(obs, obs + 3 * 25), after);
}

}  // namespace
}  // namespace disco
