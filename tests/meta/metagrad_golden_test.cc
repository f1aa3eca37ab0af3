// `disco meta-grad` against shared/golden/metagrad_public.npz, key by key,
// with the tolerances of shared/golden/METAGRAD.md; both backward passes
// (unrolled and checkpointed) must pass. Also the structural facts the
// document derives (N = 1: the meta-RNN gets exactly zero meta-gradient).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <string>

#include "../cli/run_disco.h"
#include "io/npz_tensors.h"

namespace {

using disco::ParamMap;

std::string golden_path() { return std::string(DISCO_SHARED_DIR) + "/golden/metagrad_public.npz"; }

bool is_output(const std::string& key) {
  for (const char* p :
       {"final/", "valid/agent_out/", "valid/value_outs/", "meta_loss/", "meta_grad/"}) {
    if (key.rfind(p, 0) == 0) return true;
  }
  return key.rfind("step", 0) == 0 && key.find('/') != std::string::npos;
}

struct Tol {
  double atol, rtol;
};

// METAGRAD.md's table; "stepk" is any step.
Tol tolerance(const std::string& key) {
  std::string k = key;
  if (k.rfind("step", 0) == 0) k = "step/" + k.substr(k.find('/') + 1);
  const auto starts = [&](const char* p) { return k.rfind(p, 0) == 0; };
  if (starts("step/agent/")) return {5e-5, 1e-4};
  if (starts("step/loss/")) return {5e-5, 1e-3};
  if (starts("step/meta_out/")) return {1e-3, 1e-3};
  if (starts("step/value_outs/")) return {5e-3, 1e-3};
  if (starts("step/meta_state/meta_rnn/")) return {5e-5, 1e-3};
  if (starts("step/meta_state/")) return {1e-5, 1e-3};
  if (starts("step/value_fn/loss")) return {1e-4, 1e-3};
  if (starts("step/value_ema/")) return {5e-6, 1e-3};
  if (starts("final/target/")) return {2e-7, 1e-4};
  if (starts("final/agent_opt/mu/")) return {1e-6, 1e-3};
  if (starts("final/agent_opt/nu/")) return {1e-8, 1e-3};
  if (starts("final/value_fn/")) return {5e-5, 1e-4};
  if (starts("valid/agent_out/")) return {5e-6, 1e-3};
  if (starts("valid/value_outs/")) return {2e-3, 1e-3};
  if (starts("meta_loss/")) return {5e-5, 1e-3};
  if (starts("meta_grad/")) return {5e-6, 1e-3};
  return {0, 0};  // counters: exact
}

// Every output key of `golden` within tolerance in `out`; returns failures.
std::vector<std::string> compare(const ParamMap& golden, const ParamMap& out, double& worst) {
  std::vector<std::string> failures;
  worst = 0;
  for (const auto& [key, g] : golden) {
    if (!is_output(key)) continue;
    auto it = out.find(key);
    if (it == out.end()) {
      failures.push_back(key + ": missing");
      continue;
    }
    if (it->second.sizes() != g.sizes()) {
      failures.push_back(key + ": shape " + c10::str(it->second.sizes()) + " vs " +
                         c10::str(g.sizes()));
      continue;
    }
    const auto x = it->second.to(torch::kFloat64), gd = g.to(torch::kFloat64);
    const Tol t = tolerance(key);
    if (t.atol == 0 && t.rtol == 0) {  // counters: exact
      if (!torch::equal(x, gd)) failures.push_back(key + ": differs");
      continue;
    }
    const double ratio =
        g.numel() ? ((x - gd).abs() / (t.atol + t.rtol * gd.abs())).max().item<double>() : 0;
    worst = std::max(worst, ratio);
    if (!(ratio <= 1.0)) failures.push_back(key + ": error/tolerance " + std::to_string(ratio));
    if (key.rfind("meta_grad/", 0) == 0 && g.numel()) {
      const double err = (x - gd).abs().max().item<double>();
      const double bound = 0.05 * gd.abs().max().item<double>() + 1e-10;
      if (!(err <= bound)) {
        failures.push_back(key + ": key-normalised error " + std::to_string(err) + " > " +
                           std::to_string(bound));
      }
    }
  }
  return failures;
}

class MetaGradGolden : public ::testing::TestWithParam<bool> {};

TEST_P(MetaGradGolden, EveryOutputKeyWithinTolerance) {
  const bool checkpointing = GetParam();
  const auto out = (std::filesystem::temp_directory_path() /
                    ("metagrad_out_" + std::to_string(checkpointing) + ".npz"))
                       .string();
  const auto r = disco_test::run_disco("meta-grad --case " + golden_path() + " --out " + out +
                                       (checkpointing ? " --checkpointing" : ""));
  ASSERT_EQ(r.code, 0) << r.output;
  const ParamMap golden = disco::load_tensors(golden_path());
  const ParamMap result = disco::load_tensors(out);
  double worst = 0;
  const auto failures = compare(golden, result, worst);
  std::string text;
  for (const auto& f : failures) text += f + "\n";
  EXPECT_TRUE(failures.empty()) << failures.size() << " keys fail:\n" << text;
  std::cout << "worst error/tolerance ratio: " << worst << "\n";
  std::filesystem::remove(out);
}

INSTANTIATE_TEST_SUITE_P(BothBackwardPasses, MetaGradGolden, ::testing::Bool());

// With one inner step the meta-RNN's parameters and lstm/linear_1 (used only
// by the meta-RNN) cannot influence the meta-loss: exactly zero gradient,
// while the rest of the rule does get one.
TEST(MetaGradCase, OneInnerStepGivesNoMetaRnnGradient) {
  ParamMap c = disco::load_tensors(golden_path());
  c["config/num_inner_steps"] = torch::tensor(1, torch::kInt32);
  for (const char* k : {"observations", "actions", "rewards", "discounts", "behaviour_logits"}) {
    const std::string key = std::string("train/") + k;
    c[key] = c[key].slice(0, 0, 1).contiguous();
  }
  const auto dir = std::filesystem::temp_directory_path();
  const auto in = (dir / "metagrad_n1_case.npz").string();
  const auto out = (dir / "metagrad_n1_out.npz").string();
  disco::save_tensors(in, c);
  const auto r = disco_test::run_disco("meta-grad --case " + in + " --out " + out);
  ASSERT_EQ(r.code, 0) << r.output;
  const ParamMap res = disco::load_tensors(out);
  EXPECT_FALSE(res.count("step1/agent/mlp/linear/w"));
  int zero = 0, nonzero = 0;
  for (const auto& [key, g] : res) {
    if (key.rfind("meta_grad/", 0) != 0) continue;
    const std::string name = key.substr(10);
    const bool meta_rnn_only =
        name.rfind("lstm/~/meta_lstm/~unroll/", 0) == 0 || name.rfind("lstm/linear_1/", 0) == 0;
    const double m = g.abs().max().item<double>();
    if (meta_rnn_only) {
      EXPECT_EQ(m, 0.0) << name;
      ++zero;
    } else if (m > 0) {
      ++nonzero;
    }
  }
  EXPECT_GT(zero, 0);
  EXPECT_GT(nonzero, 20);
  std::filesystem::remove(in);
  std::filesystem::remove(out);
}

TEST(MetaGradCase, MissingKeyIsOneLineErrorAndNoOutput) {
  ParamMap c = disco::load_tensors(golden_path());
  c.erase("valid/rewards");
  const auto dir = std::filesystem::temp_directory_path();
  const auto in = (dir / "metagrad_bad_case.npz").string();
  const auto out = (dir / "metagrad_bad_out.npz").string();
  std::filesystem::remove(out);
  disco::save_tensors(in, c);
  const auto r = disco_test::run_disco("meta-grad --case " + in + " --out " + out);
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(disco_test::contains(r.output, "valid/rewards")) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  std::filesystem::remove(in);
}

}  // namespace
