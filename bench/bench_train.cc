// End-to-end training throughput at the default settings of a rule
// (disco103 unless given): learner steps/s and environment steps/s, with the
// pieces of a learner step timed apart, and this machine's 1024x1024 float
// matmul GFLOP/s measured in the same run for scale.
//
//   bench_train [RULE] [LEARNER_STEPS] [ENV]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "agent/trainer.h"
#include "core/allocator.h"
#include "envs/registry.h"
#include "nets/agent_net.h"
#include "rules/rule_factory.h"

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double matmul_gflops() {
  const auto a = torch::rand({1024, 1024}), b = torch::rand({1024, 1024});
  auto c = torch::mm(a, b);  // warm-up
  const int reps = 20;
  const double t0 = now_s();
  for (int i = 0; i < reps; ++i) c = torch::mm(a, b);
  const double dt = now_s() - t0;
  return reps * 2.0 * 1024 * 1024 * 1024 / dt / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace disco;
  keep_freed_memory_for_reuse();  // as `disco` does
  const std::string rule = argc > 1 ? argv[1] : "disco103";
  const int steps = argc > 2 ? std::stoi(argv[2]) : 20;
  TrainSettings s = default_train_settings(rule);
  if (argc > 3) s.env = argv[3];
  s.steps = steps;
  s.log_every = steps;
  s.checkpoint_every = 1 << 30;
  std::printf("threads %d, matmul 1024x1024 float: %.1f GFLOP/s\n", torch::get_num_threads(),
              matmul_gflops());

  // Pieces of one learner step on a batch like the defaults'.
  const std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  auto choice = make_rule(rule, s.rule_settings, weights);
  auto env = make_batched_env(s.env, 1);
  const int a = env.spec().num_actions;
  AgentNet net(s.net, env.spec().observation_shape, a, choice.rule->flat_output_spec(a),
               choice.rule->model_output_spec(a));
  const auto params = net.init(0);
  const int b = s.replay_capacity > 0 ? s.batch_size : s.num_envs / s.minibatches;
  std::vector<int64_t> shape = {s.rollout_length, b};
  for (int d : env.spec().observation_shape) shape.push_back(d);
  const auto obs = torch::rand(shape);
  {
    torch::NoGradGuard g;
    net.unroll(params, obs);
    double t0 = now_s();
    for (int i = 0; i < 5; ++i) net.unroll(params, obs);
    std::printf("agent unroll forward [%d x %d]: %.1f ms\n", s.rollout_length, b,
                (now_s() - t0) / 5 * 1e3);
  }
  {
    ParamMap p;
    std::vector<torch::Tensor> leaves;
    for (const auto& [k, v] : params) leaves.push_back(p[k] = v.clone().requires_grad_(true));
    double t0 = now_s();
    for (int i = 0; i < 3; ++i) {
      auto out = net.unroll(p, obs);
      torch::Tensor sum = torch::zeros({});
      for (auto& [k, v] : out) sum = sum + v.square().mean();
      torch::autograd::grad({sum}, leaves);
    }
    std::printf("agent unroll forward+backward: %.1f ms\n", (now_s() - t0) / 3 * 1e3);
  }

  // End to end through the trainer (replay warm-up excluded from rates).
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bench_train_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  Trainer trainer(s, dir.string(), weights);
  double first_t = -1, last_t = 0;
  int64_t first_env = 0, last_env = 0, first_step = 0, last_step = 0;
  const double t0 = now_s();
  trainer.run([&](const TrainProgress& p) {
    const double t = now_s() - t0;
    if (first_t < 0) {
      first_t = t;
      first_env = p.env_steps;
      first_step = p.learner_step;
    }
    last_t = t;
    last_env = p.env_steps;
    last_step = p.learner_step;
  });
  std::filesystem::remove_all(dir);
  const double dt = last_t - first_t;
  std::printf("rule %s on %s: %.3f learner steps/s, %.1f env steps/s (over %lld learner steps, "
              "%.1f s after the first)\n",
              rule.c_str(), s.env.c_str(), (last_step - first_step) / dt,
              (last_env - first_env) / dt, static_cast<long long>(last_step - first_step), dt);
  return 0;
}
