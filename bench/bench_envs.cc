// Environment steps per second on one core, for EVERY registered environment
// (iterating env_registry(), so new environments appear here by themselves),
// at batch 1 and batch 64: uniformly random actions, BatchedEnv::step writing
// every slot's observation each step, auto-reset included.
//
// Run: build-*/bench_envs [--benchmark_filter=minatar] [--benchmark_min_time=1]
// Prints Google Benchmark's table (counter "steps/s") and then one summary
// table: env, batch 1 steps/s, batch 64 steps/s. "steps/s" is environment
// steps (batch x iterations) per second of this thread's CPU time, i.e. per
// core; on a busy machine the wall-clock "Time" column is larger.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "envs/registry.h"

namespace disco {
namespace {

constexpr int kBatches[] = {1, 64};
constexpr int kActionBatches = 1024;  // pre-drawn so the policy costs nothing

void step_env(benchmark::State& state, const std::string& name, int batch) {
  BatchedEnv env = make_batched_env(name, batch);
  env.reset(/*seed=*/1);
  Rng rng(2);
  std::vector<int> actions(static_cast<size_t>(kActionBatches) * batch);
  for (int& a : actions) a = rng.uniform_int(env.spec().num_actions);
  size_t k = 0;
  for (auto _ : state) {
    env.step(actions.data() + (k++ % kActionBatches) * batch);
    benchmark::DoNotOptimize(env.observations());
    benchmark::ClobberMemory();
  }
  state.counters["steps/s"] = benchmark::Counter(static_cast<double>(state.iterations()) * batch,
                                                 benchmark::Counter::kIsRate);
}

// Keeps the console output and remembers each run's steps/s for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  std::map<std::string, std::pair<std::string, int>> which;  // benchmark name -> (env, batch)
  std::map<std::string, std::map<int, double>> steps_per_second;  // env -> batch -> steps/s

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const auto it = which.find(run.benchmark_name());
      const auto counter = run.counters.find("steps/s");
      if (it == which.end() || counter == run.counters.end()) continue;
      steps_per_second[it->second.first][it->second.second] = counter->second.value;
    }
  }
};

}  // namespace
}  // namespace disco

int main(int argc, char** argv) {
  using namespace disco;
  SummaryReporter reporter;
  std::vector<std::string> order;
  for (const EnvEntry& entry : env_registry()) {
    order.push_back(entry.name);
    for (int batch : kBatches) {
      const std::string bench = "env_step/" + entry.name + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(bench.c_str(), step_env, entry.name, batch)
          ->Unit(benchmark::kMicrosecond);
      reporter.which[bench] = {entry.name, batch};
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\n%-24s %18s %18s\n", "env", "batch 1 steps/s", "batch 64 steps/s");
  for (const std::string& name : order) {
    const auto it = reporter.steps_per_second.find(name);
    if (it == reporter.steps_per_second.end()) continue;  // filtered out
    auto cell = [&](int batch) {
      const auto c = it->second.find(batch);
      return c == it->second.end() ? std::string("-") : std::to_string(static_cast<int64_t>(c->second));
    };
    std::printf("%-24s %18s %18s\n", name.c_str(), cell(1).c_str(), cell(64).c_str());
  }
  return 0;
}
