// Environment steps per second on one core, for EVERY registered environment
// (iterating env_registry(), so new environments appear here by themselves)
// with its default parameters, plus the variants in kExtraEnvs, at batch 1
// and batch 64: uniformly random actions, BatchedEnv::step writing every
// slot's observation each step, auto-reset included.
//
// Run: build-*/bench_envs [--benchmark_filter=minatar] [--benchmark_min_time=1]
// Prints Google Benchmark's table (counter "steps/s") and then one summary
// table: env, batch 1 steps/s, batch 64 steps/s. "steps/s" is environment
// steps (batch x iterations) per second of this thread's CPU time, i.e. per
// core; on a busy machine the wall-clock "Time" column is larger.
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "envs/registry.h"

namespace disco {
namespace {

constexpr int kBatches[] = {1, 64};
// Non-default parameters worth their own line.
const char* const kExtraEnvs[] = {"crafter(obs=image)"};
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

// Keeps the console output and remembers each benchmark's steps/s for the
// summary: the median over repetitions when there are several, else the run.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  SummaryReporter() : ConsoleReporter(isatty(fileno(stdout)) ? OO_Defaults : OO_Tabular) {}

  std::map<std::string, std::pair<std::string, int>> which;  // benchmark name -> (env, batch)

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const auto counter = run.counters.find("steps/s");
      if (!which.count(run.run_name.str()) || counter == run.counters.end()) continue;
      Result& r = results_[run.run_name.str()];
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") r.median = counter->second.value;
      } else {
        r.runs.push_back(counter->second.value);
      }
    }
  }

  // steps/s of env at batch, or a negative number if it did not run.
  double steps_per_second(const std::string& env, int batch) const {
    for (const auto& [bench, key] : which) {
      if (key != std::make_pair(env, batch)) continue;
      const auto it = results_.find(bench);
      if (it == results_.end()) return -1;
      if (it->second.median >= 0) return it->second.median;
      std::vector<double> v = it->second.runs;
      if (v.empty()) return -1;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    }
    return -1;
  }

 private:
  struct Result {
    double median = -1;
    std::vector<double> runs;
  };
  std::map<std::string, Result> results_;
};

}  // namespace
}  // namespace disco

int main(int argc, char** argv) {
  using namespace disco;
  SummaryReporter reporter;
  std::vector<std::string> order;
  for (const EnvEntry& entry : env_registry()) order.push_back(entry.name);
  for (const char* extra : kExtraEnvs) order.push_back(extra);
  for (const std::string& name : order) {
    for (int batch : kBatches) {
      const std::string bench = "env_step/" + name + "/batch:" + std::to_string(batch);
      benchmark::RegisterBenchmark(bench.c_str(), step_env, name, batch)
          ->Unit(benchmark::kMicrosecond);
      reporter.which[bench] = {name, batch};
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\n%-24s %18s %18s\n", "env", "batch 1 steps/s", "batch 64 steps/s");
  for (const std::string& name : order) {
    const double b1 = reporter.steps_per_second(name, 1);
    const double b64 = reporter.steps_per_second(name, 64);
    if (b1 < 0 && b64 < 0) continue;  // filtered out
    auto cell = [](double v) {
      return v < 0 ? std::string("-") : std::to_string(static_cast<int64_t>(v));
    };
    std::printf("%-24s %18s %18s\n", name.c_str(), cell(b1).c_str(), cell(b64).c_str());
  }
  return 0;
}
