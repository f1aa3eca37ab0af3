// The Disco103 rule against the golden file: every output key of both calls
// (state carried from call 1 to call 2), the agent-output gradients and the
// meta-gradient, within the README's tolerances.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <iostream>

#include "golden_util.h"
#include "io/npz_tensors.h"
#include "rules/disco_rule.h"
#include "golden/disco_targets.h"

namespace disco {
namespace {

using testing::compare_with_golden;
using testing::golden_path;
using testing::is_input_key;
using testing::weights_path;

TEST(DiscoGolden, EveryOutputKeyOfBothCallsMatches) {
  const ParamMap golden = load_tensors(golden_path());
  const DiscoRule rule;
  const ParamMap meta_params = load_disco_meta_params(weights_path());
  ParamMap inputs;  // only what the rule may read
  for (const auto& [key, x] : golden) {
    if (is_input_key(key)) inputs[key] = x;
  }
  ASSERT_EQ(count_calls(inputs), 2);

  const ParamMap out = run_disco_calls(rule, meta_params, inputs);

  std::vector<std::string> failures;
  const auto worst = compare_with_golden(golden, out, failures);
  for (const auto& [group, w] : worst) {
    std::cout << "  " << group << ": worst error/tolerance " << w.ratio << " (" << w.key << "), max |error| "
              << w.max_abs_error << "\n";
  }
  for (const auto& f : failures) ADD_FAILURE() << f;
  // All 42 weights have a meta-gradient; every group was checked.
  int meta_grads = 0;
  for (const auto& [key, x] : golden) meta_grads += key.rfind("meta_grad/", 0) == 0;
  EXPECT_EQ(meta_grads, 42);
  for (const char* group : {"value_outs", "meta_out", "intermediates", "state_out", "state_in",
                            "loss", "grad/agent_out", "meta_grad"}) {
    EXPECT_TRUE(worst.count(group)) << group;
  }
}

}  // namespace
}  // namespace disco
