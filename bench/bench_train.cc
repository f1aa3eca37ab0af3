// End-to-end training at the default settings of a rule (disco103 unless
// given), against the learner step alone, in one run:
//   learner step alone   Learner::step on batches sampled from a filled replay
//                        (the learner's share of a training step);
//   actor rollout        Actor::collect of one rollout (what the trainer adds
//                        per learner step at replay ratio 32: one rollout);
//   end to end           Trainer::run per learner step after the replay
//                        warm-up: acting, replay, learning, metrics, logs;
// and the ratio end to end / learner alone (goal: at most 1.3), with this
// machine's 1024x1024 float32 matmul GFLOP/s for scale (one thread). Threads
// are `disco train`'s default plan (core/thread_plan.h): one learner block
// per core.
//
//   bench_train [RULE] [LEARNER_STEPS] [ENV]
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "agent/actor.h"
#include "agent/learner.h"
#include "agent/replay.h"
#include "agent/trainer.h"
#include "core/allocator.h"
#include "core/blas_threads.h"
#include "core/thread_plan.h"
#include "envs/registry.h"
#include "nets/agent_net.h"
#include "rules/rule_factory.h"

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double matmul_gflops() {
  torch::NoGradGuard no_grad;
  const auto a = torch::rand({1024, 1024}), b = torch::rand({1024, 1024});
  auto c = torch::mm(a, b);  // warm-up
  double best = 0;
  for (int trial = 0; trial < 5; ++trial) {
    const int reps = 10;
    const double t0 = now_s();
    for (int i = 0; i < reps; ++i) c = torch::mm(a, b);
    best = std::max(best, reps * 2.0 * 1024 * 1024 * 1024 / (now_s() - t0) / 1e9);
  }
  return best;
}

// Median of timings, robust to a machine shared with other work.
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  using namespace disco;
  keep_freed_memory_for_reuse();  // as `disco` does
  use_threads(0);                 // as `disco train` without --threads
  const std::string rule = argc > 1 ? argv[1] : "disco103";
  const int steps = argc > 2 ? std::stoi(argv[2]) : 40;
  TrainSettings s = default_train_settings(rule);
  if (argc > 3) s.env = argv[3];
  s.steps = steps;
  s.log_every = 10;
  s.checkpoint_every = 1 << 30;
  const std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  std::printf("rule %s on %s; %d learner blocks, torch threads %d, OpenBLAS threads %d; matmul "
              "1024x1024 float: %.1f GFLOP/s\n",
              rule.c_str(), s.env.c_str(), learner_shards(), torch::get_num_threads(),
              blas_threads(), matmul_gflops());

  // The pieces, built as the trainer builds them.
  auto choice = make_rule(rule, s.rule_settings, weights);
  BatchedEnv env = make_batched_env(s.env, s.num_envs);
  const auto spec = env.spec();
  const int a = spec.num_actions;
  AgentNet net(s.net, spec.observation_shape, a, choice.rule->flat_output_spec(a),
               choice.rule->model_output_spec(a));
  Learner learner(net, *choice.rule, choice.meta_params, s.optimizer, learner_shards());
  LearnerState state = learner.init(s.seed, torch::kCPU);
  std::vector<std::string> heads = choice.rule->behaviour_heads();
  if (std::find(heads.begin(), heads.end(), "logits") == heads.end()) heads.insert(heads.begin(), "logits");
  Actor actor(std::move(env), s.seed, s.rollout_length, heads, torch::kCPU);
  Rng rng(s.seed);

  // Actor rollouts, filling the replay as the warm-up does.
  EpisodeStats stats;
  std::vector<double> rollout_s;
  ReplayBuffer replay(std::max(1, s.replay_capacity));
  Rollout last;
  for (int i = 0; i < std::max(8, s.min_replay / s.num_envs); ++i) {
    const double t0 = now_s();
    last = actor.collect(net, state.params, stats);
    rollout_s.push_back(now_s() - t0);
    replay.add(last);
  }
  const double rollout = median(rollout_s);

  // Learner steps alone, on replay samples (or on rollouts when on-policy).
  std::vector<double> learn_s;
  const int batch = s.replay_capacity > 0 ? s.batch_size : s.num_envs / s.minibatches;
  for (int i = 0; i < 15; ++i) {
    const Rollout b = s.replay_capacity > 0
                          ? replay.sample(batch, rng)
                          : map_rollout(last, [&](const torch::Tensor& t) { return t.narrow(1, 0, batch); });
    const double t0 = now_s();
    const auto log = learner.step(state, b);
    log.at("total_loss").item<float>();
    if (i > 1) learn_s.push_back(now_s() - t0);  // after warm-up
  }
  const double learn = median(learn_s);

  // End to end through the trainer, from the first learner step on (the
  // replay warm-up excluded).
  const auto dir = std::filesystem::temp_directory_path() /
                   ("bench_train_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  double first_t = -1, last_t = 0;
  int64_t first_step = 0, last_step = 0, first_env = 0, last_env = 0;
  {
    Trainer trainer(s, dir.string(), weights);
    const double t0 = now_s();
    trainer.run([&](const TrainProgress& p) {
      const double t = now_s() - t0;
      if (p.learner_step <= 2) {  // warm-up of the learner's allocations
        first_t = t;
        first_step = p.learner_step;
        first_env = p.env_steps;
      }
      last_t = t;
      last_step = p.learner_step;
      last_env = p.env_steps;
    });
  }
  std::filesystem::remove_all(dir);
  const double per_step = (last_t - first_t) / std::max<int64_t>(1, last_step - first_step);
  const double rollouts_per_step =
      s.replay_capacity > 0 ? 1.0 / s.epochs : 1.0 / (s.epochs * s.minibatches);

  std::printf("  learner step alone      %8.1f ms   (median of %zu)\n", learn * 1e3, learn_s.size());
  std::printf("  actor rollout           %8.1f ms   (%d steps of %d envs; %.3f rollouts per learner step)\n",
              rollout * 1e3, s.rollout_length, s.num_envs, rollouts_per_step);
  std::printf("  end to end per step     %8.1f ms   (%lld learner steps, %.1f env steps/s)\n",
              per_step * 1e3, static_cast<long long>(last_step - first_step),
              (last_env - first_env) / std::max(1e-9, last_t - first_t));
  std::printf("  end to end / learner    %8.2f     (goal: at most 1.3)\n", per_step / learn);
  return 0;
}
