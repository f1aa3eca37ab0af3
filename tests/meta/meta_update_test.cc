// The rule's update from a population's contributions (meta/meta_update.h):
// an agent whose meta-gradient is not finite is dropped and counted, and the
// others' update is exactly the one they would give alone; with none left
// the step is skipped and the rule is untouched.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "meta/meta_update.h"
#include "optim/outer_adam.h"

namespace {

using disco::AgentStats;
using disco::ParamMap;
using disco::PopulationContributions;

ParamMap rule() { return {{"a", torch::ones({2, 3})}, {"b", torch::zeros({4})}}; }

// Agents' flat gradients (10 entries: "a" then "b"), the ones marked not
// finite holding NaN.
PopulationContributions contributions(const std::vector<bool>& finite) {
  PopulationContributions c;
  std::vector<torch::Tensor> grads;
  for (size_t i = 0; i < finite.size(); ++i) {
    auto g = torch::linspace(-1.0, 1.0, 10) * static_cast<double>(i + 1);
    if (!finite[i]) g[3] = std::nan("");
    grads.push_back(g);
    AgentStats st;
    st.finite = finite[i];
    st.avg_return = static_cast<double>(i);
    st.episodes = 1;
    st.return_sum = static_cast<double>(i);
    c.stats.push_back(st);
    c.loss.push_back({{"total", finite[i] ? 0.5 * static_cast<double>(i) : std::nan("")}});
  }
  c.meta_grads = torch::stack(grads);
  return c;
}

// The contributions of the agents listed, as if they were the population.
PopulationContributions only(const PopulationContributions& c, const std::vector<int64_t>& agents) {
  PopulationContributions out;
  out.meta_grads = c.meta_grads.index_select(0, torch::tensor(agents));
  for (const auto i : agents) {
    out.stats.push_back(c.stats[i]);
    out.loss.push_back(c.loss[i]);
  }
  return out;
}

void expect_equal(const ParamMap& a, const ParamMap& b) {
  for (const auto& [name, t] : a) EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
}

TEST(MetaUpdate, ANonFiniteAgentIsDroppedAndTheOthersUpdateAsAlone) {
  for (const char* mode : {"mean", "per_agent"}) {
    disco::MetaTrainSettings s;
    s.meta_optimizer_mode = mode;
    s.meta_grad_clip = 0.5;
    const bool per_agent = s.meta_optimizer_mode == "per_agent";
    const auto all = contributions({true, false, true});
    ParamMap with_drop = rule();
    std::vector<disco::OuterAdamState> opt(per_agent ? 3 : 1, disco::outer_adam_init(with_drop));
    const auto u = disco::apply_meta_update(all, s, with_drop, opt);
    EXPECT_EQ(u.contributing, 2) << mode;
    EXPECT_FALSE(u.skipped);
    EXPECT_DOUBLE_EQ(u.meta_loss, 0.5);  // mean of 0 and 1: the dropped agent's NaN left out
    EXPECT_EQ(opt[0].count, 1);
    if (per_agent) EXPECT_EQ(opt[1].count, 0) << "the dropped agent's Adam must not step";

    // Agents 0 and 2 on their own give the same rule, bit for bit.
    ParamMap alone = rule();
    std::vector<disco::OuterAdamState> opt2(per_agent ? 2 : 1, disco::outer_adam_init(alone));
    disco::apply_meta_update(only(all, {0, 2}), s, alone, opt2);
    expect_equal(with_drop, alone);
    EXPECT_FALSE(torch::equal(with_drop.at("a"), rule().at("a")));

    const auto row = disco::population_metrics(all, u);
    EXPECT_EQ(row.at("dropped"), 1);
    EXPECT_DOUBLE_EQ(row.at("meta_loss"), 0.5);
    EXPECT_DOUBLE_EQ(row.at("agent1/avg_return"), 1.0);  // still logged
  }
}

TEST(MetaUpdate, WithNoFiniteAgentTheStepIsSkippedAndTheRuleUntouched) {
  disco::MetaTrainSettings s;
  ParamMap params = rule();
  std::vector<disco::OuterAdamState> opt(1, disco::outer_adam_init(params));
  const auto u = disco::apply_meta_update(contributions({false, false}), s, params, opt);
  EXPECT_TRUE(u.skipped);
  EXPECT_EQ(u.contributing, 0);
  EXPECT_EQ(opt[0].count, 0);
  expect_equal(params, rule());
  EXPECT_TRUE(std::isnan(disco::population_metrics(contributions({false, false}), u).at("meta_loss")));
}

}  // namespace
