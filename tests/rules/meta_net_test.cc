// Loading, checking, initialising and saving the meta-network's parameters.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "golden_util.h"
#include "io/npz_tensors.h"
#include "nets/meta_net.h"
#include "rules/disco_rule.h"

namespace disco {
namespace {

std::string error_of(const ParamMap& params) {
  try {
    check_meta_net_params(params, MetaNetSettings{});
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(MetaNetParams, Disco103HasExactlyTheExpectedFortyTwoTensors) {
  const ParamMap weights = load_tensors(testing::weights_path());
  EXPECT_EQ(weights.size(), 42u);
  EXPECT_EQ(meta_net_param_shapes(MetaNetSettings{}).size(), 42u);
  EXPECT_EQ(error_of(weights), "");
  EXPECT_EQ(weights.at("lstm/lstm/linear/w").sizes(), (std::vector<int64_t>{283, 1024}));
  EXPECT_EQ(weights.at("lstm/sequential_1/conv1_d/w").sizes(), (std::vector<int64_t>{1, 516, 16}));
}

TEST(MetaNetParams, MissingExtraOrMisShapedTensorIsNamed) {
  const ParamMap weights = load_tensors(testing::weights_path());
  ParamMap missing = weights;
  missing.erase("lstm/linear_3/b");
  EXPECT_NE(error_of(missing).find("missing parameter 'lstm/linear_3/b'"), std::string::npos);
  ParamMap extra = weights;
  extra["lstm/linear_9/w"] = torch::zeros({2});
  EXPECT_NE(error_of(extra).find("unexpected parameter 'lstm/linear_9/w'"), std::string::npos);
  ParamMap bad = weights;
  bad["lstm/mlp/~/linear_0/w"] = torch::zeros({16, 600});
  EXPECT_NE(error_of(bad).find("'lstm/mlp/~/linear_0/w' has shape [16, 600], expected [600, 16]"),
            std::string::npos)
      << error_of(bad);
}

TEST(MetaNetParams, RandomInitFollowsHaikuInitialisersAndSeeds) {
  const MetaNetSettings s;
  const ParamMap p = init_meta_net_params(s, 3);
  EXPECT_EQ(error_of(p), "");
  const ParamMap again = init_meta_net_params(s, 3), other = init_meta_net_params(s, 4);
  EXPECT_TRUE(torch::equal(p.at("lstm/linear_2/w"), again.at("lstm/linear_2/w")));
  EXPECT_FALSE(torch::equal(p.at("lstm/linear_2/w"), other.at("lstm/linear_2/w")));
  // aux_stddev 0.3 for the y^ head, truncated at 2 stddev.
  EXPECT_NEAR(p.at("lstm/linear_2/w").std().item<float>(), 0.3 * 0.8796, 0.01);
  EXPECT_LE(p.at("lstm/linear_2/w").abs().max().item<float>(), 0.6f);
  // state_stddev 1.0 for the multiplicative gate.
  EXPECT_NEAR(p.at("lstm/linear/w").std().item<float>(), 0.8796, 0.02);
  // Default Linear: 1/sqrt(fan_in) with fan_in = 27 + 256 for the trajectory LSTM.
  EXPECT_NEAR(p.at("lstm/lstm/linear/w").std().item<float>(), 0.8796 / std::sqrt(283.0), 0.002);
  for (const auto& [name, x] : p) {
    if (name.size() > 2 && name.substr(name.size() - 2) == "/b") {
      EXPECT_EQ(x.abs().max().item<float>(), 0.0f) << name;
    }
  }
}

TEST(MetaNetParams, SavedRuleLoadsBack) {
  const ParamMap p = init_meta_net_params(MetaNetSettings{}, 11);
  const auto path = (std::filesystem::temp_directory_path() / "disco_meta_params_test.npz").string();
  save_tensors(path, p);
  const ParamMap loaded = load_disco_meta_params(path);
  std::remove(path.c_str());
  ASSERT_EQ(loaded.size(), p.size());
  for (const auto& [name, x] : p) EXPECT_TRUE(torch::equal(loaded.at(name), x)) << name;
}

}  // namespace
}  // namespace disco
