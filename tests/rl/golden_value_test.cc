// The value-estimation steps of the Disco103 golden file
// (/work/shared/golden/README.md, "Value estimation" and "loss/value") rebuilt
// from this library's functions alone: scalar Q from categorical logits, ρ,
// Retrace targets, the EMA normalisers and the two-hot value loss. An
// external check of the Retrace index alignment and of the EMA semantics.
#include <gtest/gtest.h>
#include <torch/types.h>

#include <filesystem>
#include <string>

#include "io/npz_tensors.h"
#include "rl/rl.h"
#include "rl_testing.h"

namespace disco::rl {
namespace {

const std::string kGolden = std::string(DISCO_SHARED_DIR) + "/golden/disco103_public.npz";

class GoldenValue : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kGolden)) GTEST_SKIP() << "no golden file at " << kGolden;
    golden_ = load_tensors(kGolden);
  }
  torch::Tensor at(const std::string& key) const { return golden_.at(GetParam() + "/" + key); }
  EmaState ema(const std::string& which) const {
    return {at(which + "/moment1"), at(which + "/moment2"), at(which + "/decay_product")};
  }
  // |actual - golden| <= atol + rtol·|golden| (the README's tolerances).
  static void expect_close(const torch::Tensor& actual, const torch::Tensor& golden, double atol,
                           double rtol) {
    ASSERT_EQ(actual.sizes(), golden.sizes());
    testing::expect_near(actual, testing::values_of(golden), atol, rtol);
  }
  ParamMap golden_;
};

TEST_P(GoldenValue, RebuildsValueOutputsAndEmaState) {
  const int64_t T = at("rewards").size(0);
  const torch::Tensor actions = at("actions").slice(0, 0, T);
  const torch::Tensor logits = at("agent_out/logits");

  // Scalar Q: h^-1 of the expectation on the integer support -300..300.
  const torch::Tensor q_value =
      signed_parabolic(categorical_value_to_scalar(at("agent_out/q"), 300));
  const torch::Tensor q = signed_parabolic(categorical_value_to_scalar(at("target_out/q"), 300));
  expect_close(q_value, at("value_outs/q_value"), 1e-2, 1e-4);
  expect_close(q, at("value_outs/q"), 1e-2, 1e-4);
  const torch::Tensor pi = torch::softmax(logits, -1);
  const torch::Tensor target_v = (pi * q).sum(-1);
  expect_close((pi * q_value).sum(-1), at("value_outs/v_scalar"), 1e-2, 1e-4);
  expect_close(target_v, at("value_outs/target_v_scalar"), 1e-2, 1e-4);

  const torch::Tensor rho = importance_weight(
      logits.slice(0, 0, T), at("behaviour_agent_out/logits").slice(0, 0, T), actions);
  expect_close(rho, at("value_outs/rho"), 1e-5, 1e-4);

  // Retrace: c = 0.95·min(1, ρ), γ = 0.997·(1 - is_terminal).
  const torch::Tensor q_target =
      retrace_q_targets(batch_lookup(q.slice(0, 0, T), actions), target_v, at("rewards"),
                        0.997 * (1.0 - at("is_terminal")), 0.95 * torch::clamp_max(rho, 1.0));
  expect_close(q_target, at("value_outs/q_target"), 1e-2, 1e-4);

  const torch::Tensor adv = q_target - target_v.slice(0, 0, T);
  expect_close(adv, at("value_outs/adv"), 1e-2, 1e-4);
  const EmaState adv_ema = ema_update(ema("state_in/adv_ema"), adv, 0.99);
  expect_close(adv_ema.moment1, at("state_out/adv_ema/moment1"), 1e-4, 2e-4);
  expect_close(adv_ema.moment2, at("state_out/adv_ema/moment2"), 1e-4, 2e-4);
  expect_close(adv_ema.decay_product, at("state_out/adv_ema/decay_product"), 1e-4, 2e-4);
  expect_close(ema_normalize(adv, adv_ema, 1e-6), at("value_outs/normalized_adv"), 2e-4, 1e-4);
  const torch::Tensor qv_adv = q - target_v.unsqueeze(-1);
  expect_close(ema_normalize(qv_adv, adv_ema, 1e-6), at("value_outs/normalized_qv_adv"), 2e-4,
               1e-4);

  const torch::Tensor q_td = q_target - batch_lookup(q_value.slice(0, 0, T), actions);
  expect_close(q_td, at("value_outs/q_td"), 1e-2, 1e-4);
  const EmaState td_ema = ema_update(ema("state_in/td_ema"), q_td, 0.99);
  expect_close(td_ema.moment2, at("state_out/td_ema/moment2"), 1e-4, 2e-4);
  expect_close(ema_normalize(q_td, td_ema, 1e-6, /*subtract_mean=*/false),
               at("value_outs/normalized_q_td"), 2e-4, 1e-4);
}

TEST_P(GoldenValue, ValueLossWithEitherTwoHotForm) {
  // loss/value = CE(q logits of the taken action, two_hot(h(q_value_a + q_td))).
  const int64_t T = at("rewards").size(0);
  const torch::Tensor actions = at("actions").slice(0, 0, T);
  const torch::Tensor q_logits_a = batch_lookup(at("agent_out/q").slice(0, 0, T), actions);
  const torch::Tensor target = signed_hyperbolic(
      batch_lookup(at("value_outs/q_value").slice(0, 0, T), actions) + at("value_outs/q_td"));
  expect_close(softmax_cross_entropy(q_logits_a, transform_to_2hot_integer_bins(target, 300)),
               at("loss/value"), 2e-4, 2e-4);
  expect_close(softmax_cross_entropy(q_logits_a, transform_to_2hot(target, -300.0, 300.0, 601)),
               at("loss/value"), 2e-4, 2e-4);
}

INSTANTIATE_TEST_SUITE_P(Calls, GoldenValue, ::testing::Values("call1", "call2"));

}  // namespace
}  // namespace disco::rl
