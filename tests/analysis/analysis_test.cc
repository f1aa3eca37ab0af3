// The analyses' building blocks: gradient saliency, ridge probes and AUC, and
// the bootstrapping horizon's gradients against finite differences.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "analysis/horizon.h"
#include "analysis/probe.h"
#include "analysis/saliency.h"

namespace disco {
namespace {

TEST(Saliency, AHandBuiltNetworkThatReadsOneCellLightsUpThatCellOnly) {
  // out(obs) = 3·tanh(obs[2, 3]) + 0.5: every other cell has no influence.
  const ScalarOutputs f = [](const torch::Tensor& obs) {
    return std::map<std::string, torch::Tensor>{
        {"one_cell", 3 * torch::tanh(obs.select(1, 2).select(1, 3)) + 0.5},
        {"everywhere", obs.flatten(1).sum(1)}};
  };
  torch::manual_seed(0);
  const auto obs = torch::rand({32, 5, 6});
  const auto maps = gradient_saliency(f, obs);
  const auto& one = maps.at("one_cell");
  ASSERT_EQ(one.sizes(), torch::IntArrayRef({5, 6}));
  EXPECT_GT(one[2][3].item<double>(), 0.5);
  EXPECT_EQ((one > 0).sum().item<int64_t>(), 1);
  EXPECT_TRUE(torch::allclose(maps.at("everywhere"), torch::ones({5, 6})));
  // Grids: channels summed, [H, W] kept, anything else one row.
  EXPECT_EQ(saliency_grid(torch::ones({4, 3, 2})).sizes(), torch::IntArrayRef({4, 3}));
  EXPECT_EQ(saliency_grid(torch::ones({4, 3, 2}))[0][0].item<float>(), 2.f);
  EXPECT_EQ(saliency_grid(torch::ones({7})).sizes(), torch::IntArrayRef({1, 7}));
}

TEST(Probe, RidgeRecoversAPlantedLinearRelationAndFailsOnNoise) {
  torch::manual_seed(1);
  const int64_t n = 600, d = 20;
  const auto x = torch::randn({n, d}, torch::kFloat64) * torch::linspace(0.1, 5, d, torch::kFloat64);
  const auto w = torch::randn({d}, torch::kFloat64);
  const auto y = x.matmul(w) + 0.05 * torch::randn({n}, torch::kFloat64);
  const auto train = torch::indexing::Slice(0, n / 2), test = torch::indexing::Slice(n / 2, n);
  const auto p = fit_ridge(x.index({train}), y.index({train}), 1e-3);
  EXPECT_GT(r_squared(p.predict(x.index({test})), y.index({test})), 0.99);
  const auto noise = torch::randn({n}, torch::kFloat64);
  const auto q = fit_ridge(x.index({train}), noise.index({train}), 1.0);
  EXPECT_LT(r_squared(q.predict(x.index({test})), noise.index({test})), 0.05);
  // A planted class boundary is found; random labels are not.
  const auto label = (x.matmul(w) > 0).to(torch::kFloat64);
  const auto c = fit_ridge(x.index({train}), label.index({train}), 1.0);
  EXPECT_GT(roc_auc(c.predict(x.index({test})), label.index({test})), 0.97);
  const auto coin = (torch::rand({n}, torch::kFloat64) > 0.5).to(torch::kFloat64);
  const auto r = fit_ridge(x.index({train}), coin.index({train}), 1.0);
  EXPECT_NEAR(roc_auc(r.predict(x.index({test})), coin.index({test})), 0.5, 0.1);
}

TEST(Probe, AucByHandWithTies) {
  // Positives 0.35, 0.8; negatives 0.1, 0.4: pairs won 1 + 2 of 4 (scikit-learn's example).
  EXPECT_DOUBLE_EQ(roc_auc(torch::tensor({0.1, 0.4, 0.35, 0.8}), torch::tensor({0., 0., 1., 1.})), 0.75);
  // A tie between a positive and a negative counts half.
  EXPECT_DOUBLE_EQ(roc_auc(torch::tensor({0.5, 0.5, 0.9}), torch::tensor({0., 1., 1.})), 0.75);
  EXPECT_TRUE(std::isnan(roc_auc(torch::tensor({0.5, 0.7}), torch::tensor({1., 1.}))));
}

// A small Disco rule in double precision with random weights and inputs.
struct HorizonCase {
  static constexpr int64_t T = 5, B = 2, A = 3;
  DiscoRule rule;
  ParamMap eta;
  MetaState state;
  UpdateRuleInputs inputs;
  AgentOuts target_out;

  static DiscoSettings small() {
    DiscoSettings s;
    s.net.prediction_size = 6;
    s.net.hidden_size = 8;
    s.net.meta_rnn_hidden_size = 4;
    s.value.num_bins = 21;
    s.value.max_abs_value = 10;
    return s;
  }

  HorizonCase() : rule(small()) {
    torch::manual_seed(3);
    const auto d = torch::kFloat64;
    for (auto& [k, t] : rule.init_meta_params(3)) eta[k] = t.to(d) + 0.2 * torch::randn(t.sizes(), d);
    state = disco_initial_rule_state(rule.settings(), torch::TensorOptions().dtype(d));
    const int64_t y = 6, nb = 21;
    inputs.agent_out = {{"logits", torch::randn({T + 1, B, A}, d)},
                        {"y", torch::randn({T + 1, B, y}, d)},
                        {"z", torch::randn({T + 1, B, A, y}, d)},
                        {"aux_pi", torch::randn({T + 1, B, A, A}, d)},
                        {"q", 0.5 * torch::randn({T + 1, B, A, nb}, d)}};
    inputs.behaviour_agent_out = {{"logits", inputs.agent_out.at("logits") + 0.3 * torch::randn({T + 1, B, A}, d)}};
    for (const char* h : {"logits", "y", "z", "q"}) {
      target_out[h] = inputs.agent_out.at(h) + 0.1 * torch::randn(inputs.agent_out.at(h).sizes(), d);
    }
    inputs.actions = torch::randint(0, A, {T + 1, B}, torch::kLong);
    inputs.rewards = torch::randn({T, B}, d);
    inputs.is_terminal = torch::zeros({T, B}, d);
    inputs.observations = torch::zeros({T + 1, B}, d);
  }

  // <v, X̂_{t,b}> with the agent outputs moved by eps·dir.
  double projected(const std::string& target, int64_t t, int64_t b, const torch::Tensor& v,
                   const AgentOuts& dir, double eps) const {
    torch::NoGradGuard no_grad;
    UpdateRuleInputs in = inputs;
    for (auto& [h, x] : in.agent_out) x = x + eps * dir.at(h);
    const auto [out, next] = rule.unroll_with_target_out(eta, state, in, target_out);
    return (out.at(target).select(0, t).select(0, b) * v).sum().item<double>();
  }
};

TEST(Horizon, GradientsMatchCentralFiniteDifferencesInDoublePrecision) {
  HorizonCase c;
  for (const std::string target : {"pi", "y", "z"}) {
    // (t, j): the target's step and the perturbed prediction's step (j < t, j = t, j > t).
    for (const auto& [t, j] : std::vector<std::pair<int64_t, int64_t>>{{2, 1}, {2, 2}, {1, 4}, {0, 5}}) {
      const int64_t b = 1;
      torch::manual_seed(10 * t + j);
      const auto [meta_out, next] = c.rule.unroll_with_target_out(c.eta, c.state, c.inputs, c.target_out);
      const auto v = torch::randn(meta_out.at(target).select(0, t).select(0, b).sizes(), torch::kFloat64);
      const AgentOuts g =
          projected_target_gradient(c.rule, c.eta, c.state, c.inputs, c.target_out, target, t, b, v);
      // A direction that moves every prediction of step j only.
      AgentOuts dir;
      double analytic = 0;
      for (const auto& [h, x] : c.inputs.agent_out) {
        dir[h] = torch::zeros_like(x);
        dir[h].select(0, j).normal_();
        analytic += (g.at(h) * dir[h]).sum().item<double>();
      }
      const double eps = 1e-5;
      const double numeric = (c.projected(target, t, b, v, dir, eps) - c.projected(target, t, b, v, dir, -eps)) / (2 * eps);
      EXPECT_NEAR(analytic, numeric, 1e-6 + 1e-5 * std::abs(numeric)) << target << " t=" << t << " j=" << j;
    }
  }
}

TEST(Horizon, TargetsSeeEarlierStepsOnlyThroughTheValueNormalisers) {
  // The meta-network's trajectory LSTM runs backwards in time, so y, z, aux_pi
  // and q of step j reach only the targets of steps t <= j. Earlier steps'
  // logits reach later targets, through the advantage normaliser (moments of
  // the whole batch's advantages, which weigh values by the policy).
  HorizonCase c;
  for (const std::string target : {"pi", "y", "z"}) {
    const int64_t t = 3, b = 0;
    torch::manual_seed(7);
    const auto [meta_out, next] = c.rule.unroll_with_target_out(c.eta, c.state, c.inputs, c.target_out);
    const auto v = torch::randn(meta_out.at(target).select(0, t).select(0, b).sizes(), torch::kFloat64);
    const AgentOuts g = projected_target_gradient(c.rule, c.eta, c.state, c.inputs, c.target_out, target, t, b, v);
    for (int64_t j = 0; j <= HorizonCase::T; ++j) {
      for (const char* head : {"y", "z"}) {
        const double norm = g.at(head).select(0, j).norm().item<double>();
        if (j < t) {
          EXPECT_EQ(norm, 0.0) << target << " <- " << head << " at j=" << j;
        } else if (j < HorizonCase::T) {
          EXPECT_GT(norm, 0.0) << target << " <- " << head << " at j=" << j;
        }
      }
      if (j < t) {
        EXPECT_EQ(g.at("aux_pi").select(0, j).norm().item<double>(), 0.0);
      }
    }
    double past_logits = 0, past_q = 0;
    for (int64_t j = 0; j < t; ++j) {
      past_logits += g.at("logits").select(0, j).norm().item<double>();
      past_q += g.at("q").select(0, j).norm().item<double>();
    }
    EXPECT_GT(past_logits, 0.0) << target << ": the advantage normaliser mixes every step's policy";
    EXPECT_EQ(past_q, 0.0) << target << ": the online q of step j feeds only the inputs of steps j-1, j";
  }
}

TEST(Reliance, PredictionsOffMakesTheTargetsBlindToYAndZ) {
  HorizonCase c;
  DiscoSettings s = HorizonCase::small();
  s.predictions = false;
  const DiscoRule blind(s);
  torch::manual_seed(11);
  for (const std::string target : {"pi", "y", "z"}) {
    const auto v = torch::randn(c.rule.unroll_with_target_out(c.eta, c.state, c.inputs, c.target_out)
                                    .first.at(target).select(0, 1).select(0, 0).sizes(), torch::kFloat64);
    const AgentOuts seeing = projected_target_gradient(c.rule, c.eta, c.state, c.inputs, c.target_out, target, 1, 0, v);
    const AgentOuts not_seeing = projected_target_gradient(blind, c.eta, c.state, c.inputs, c.target_out, target, 1, 0, v);
    EXPECT_GT(seeing.at("y").norm().item<double>() + seeing.at("z").norm().item<double>(), 0) << target;
    EXPECT_EQ(not_seeing.at("y").norm().item<double>(), 0) << target;
    EXPECT_EQ(not_seeing.at("z").norm().item<double>(), 0) << target;
    EXPECT_GT(not_seeing.at("logits").norm().item<double>(), 0) << target;
  }
}

TEST(Reliance, BootstrapOffCutsLaterStepsFromThePredictionTargetsOnly) {
  HorizonCase c;
  DiscoSettings s = HorizonCase::small();
  s.net.prediction_targets_bootstrap = false;
  const DiscoRule cut(s);
  const int64_t t = 1, b = 1;
  torch::manual_seed(12);
  for (const std::string target : {"pi", "y", "z"}) {
    const auto v = torch::randn(cut.unroll_with_target_out(c.eta, c.state, c.inputs, c.target_out)
                                    .first.at(target).select(0, t).select(0, b).sizes(), torch::kFloat64);
    const AgentOuts g = projected_target_gradient(cut, c.eta, c.state, c.inputs, c.target_out, target, t, b, v);
    double later = 0;  // what y and z of later steps do to this step's target
    for (int64_t j = t + 1; j <= HorizonCase::T; ++j) {
      later += g.at("y").select(0, j).norm().item<double>() + g.at("z").select(0, j).norm().item<double>();
    }
    if (target == "pi") {
      EXPECT_GT(later, 0) << "the policy target keeps bootstrapping";
    } else {
      EXPECT_EQ(later, 0) << target;
      EXPECT_GT(g.at("y").select(0, t).norm().item<double>(), 0) << target << " still reads its own step";
    }
  }
}

TEST(Horizon, EstimatesOneNormPerOffsetAndTrajectory) {
  HorizonCase c;
  HorizonSettings s;
  s.projections = 3;
  const Horizon h = bootstrap_horizon(c.rule, c.eta, c.state, c.inputs, c.target_out, s);
  ASSERT_EQ(h.ks.front(), -(HorizonCase::T - 1));
  ASSERT_EQ(h.ks.back(), HorizonCase::T);
  for (const std::string target : {"pi", "y", "z"}) {
    const auto& m = h.mean.at(target);
    ASSERT_EQ(m.size(0), static_cast<int64_t>(h.ks.size()));
    EXPECT_EQ(h.per_trajectory.at(target).sizes(), torch::IntArrayRef({HorizonCase::B, m.size(0)}));
    EXPECT_TRUE(torch::isfinite(m).all().item<bool>());
    // k = 0 (the target's own step) always matters.
    const auto k0 = std::find(h.ks.begin(), h.ks.end(), 0) - h.ks.begin();
    EXPECT_GT(m[k0].item<double>(), 0) << target;
  }
}

}  // namespace
}  // namespace disco
