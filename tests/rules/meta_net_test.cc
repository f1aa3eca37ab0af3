// Loading, checking, initialising and saving the meta-network's parameters.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>

#include "core/simd_rows.h"
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

MetaNetInputs random_meta_net_inputs(int64_t t, int64_t b, int64_t a, int64_t y) {
  torch::manual_seed(11);
  MetaNetInputs in;
  in.agent_logits = torch::randn({t + 1, b, a});
  in.behaviour_logits = torch::randn({t + 1, b, a});
  in.target_logits = torch::randn({t + 1, b, a});
  in.agent_y = torch::randn({t + 1, b, y}) * 3;
  in.target_y = torch::randn({t + 1, b, y}) * 3;
  in.agent_z = torch::randn({t + 1, b, a, y}) * 3;
  in.target_z = torch::randn({t + 1, b, a, y}) * 3;
  in.actions = torch::randint(0, a, {t + 1, b}, torch::kLong);
  in.rewards = torch::randn({t, b});
  in.is_terminal = (torch::rand({t, b}) < 0.2).to(torch::kFloat32);
  in.v_scalar = torch::randn({t + 1, b});
  in.adv = torch::randn({t, b});
  in.normalized_adv = torch::randn({t, b});
  in.target_q = torch::randn({t + 1, b, a});
  in.qv_adv = torch::randn({t + 1, b, a});
  in.normalized_qv_adv = torch::randn({t + 1, b, a});
  return in;
}

// Without a graph, the embeddings of the 600-wide predictions run as the
// fused softmax-linear kernel (core/simd_rows.h), in blocks of trajectories
// too: the same outputs as LibTorch's softmax and product, to float rounding.
TEST(MetaNetForward, FusedEmbeddingsMatchTheLibTorchForm) {
  if (!simd::enabled()) GTEST_SKIP() << "no AVX2 + FMA kernels on this machine";
  const ParamMap weights = load_tensors(testing::weights_path());
  const MetaNetSettings s;
  const auto in = random_meta_net_inputs(6, 5, 3, s.prediction_size);
  const auto state = meta_rnn_initial_state(s);
  torch::NoGradGuard no_grad;
  const auto fused = meta_net_apply(weights, state, in, s, /*shards=*/2);
  simd::set_enabled(false);
  const auto plain = meta_net_apply(weights, state, in, s, /*shards=*/1);
  simd::set_enabled(true);
  const auto expect_close = [](const torch::Tensor& a, const torch::Tensor& b, const char* what) {
    const double scale = b.abs().max().item<double>() + 1e-3;
    EXPECT_LE((a - b).abs().max().item<double>(), 2e-5 * scale) << what;
  };
  expect_close(fused.pi, plain.pi, "pi");
  expect_close(fused.y, plain.y, "y");
  expect_close(fused.z, plain.z, "z");
  expect_close(fused.meta_input_emb, plain.meta_input_emb, "meta_input_emb");
  expect_close(fused.meta_rnn_state.hidden, plain.meta_rnn_state.hidden, "meta-RNN hidden");
  expect_close(fused.intermediates.at("meta_input"), plain.intermediates.at("meta_input"),
               "meta_input");
  // The kernel did run: LibTorch's softmax then product rounds otherwise.
  EXPECT_FALSE(torch::equal(fused.intermediates.at("meta_input"),
                            plain.intermediates.at("meta_input")));
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
