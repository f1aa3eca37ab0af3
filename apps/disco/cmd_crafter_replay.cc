// `disco crafter-replay`: replays every trace of a file in the layout of
// ../shared/golden/crafter_traces.json (its seed, its policy, its actions)
// with this implementation of Crafter, and writes what happened in the same
// layout; where the file records outcomes, says whether they are the same.
#include <iostream>
#include <memory>

#include "commands.h"
#include "envs/crafter/crafter_trace.h"
#include "envs/crafter/crafter_trace_json.h"
#include "io/atomic_file.h"

namespace disco::cli {

void add_crafter_replay_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "crafter-replay",
      "Replay Crafter traces (seed, policy, actions) and write this implementation's traces");
  auto traces = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto steps_max = std::make_shared<int>(1000);
  cmd->add_option("--traces", *traces, "input JSON: {\"traces\": [{seed, policy, steps?}, ...]}")
      ->required();
  cmd->add_option("--out", *out, "output JSON, the same layout")->required();
  cmd->add_option("--steps-max", *steps_max,
                  "steps of a trace without actions (the policy plays until the episode ends)")
      ->capture_default_str();
  cmd->callback([traces, out, steps_max]() {
    if (*steps_max < 1) throw UsageError("--steps-max must be at least 1");
    const nlohmann::ordered_json in = crafter::read_json_file(*traces);
    if (!in.is_object() || !in.contains("traces") || !in.at("traces").is_array()) {
      throw std::runtime_error("'" + *traces + "' has no \"traces\" list");
    }
    nlohmann::ordered_json result;
    result["source"] = "disco crafter-replay (C++ Crafter)";
    result["steps_max"] = *steps_max;
    if (in.contains("action_rng")) result["action_rng"] = in.at("action_rng");
    result["traces"] = nlohmann::ordered_json::array();
    int same = 0, compared = 0;
    size_t steps = 0;
    for (size_t i = 0; i < in.at("traces").size(); ++i) {
      crafter::Trace want;
      try {
        want = crafter::trace_from_json(in.at("traces").at(i));
      } catch (const nlohmann::ordered_json::exception& e) {
        throw std::runtime_error("trace " + std::to_string(i) + " of '" + *traces +
                                 "' is malformed: " + e.what());
      }
      const crafter::Trace got =
          crafter::replay_trace(want.seed, want.policy, crafter::trace_actions(want), *steps_max);
      steps += got.steps.size();
      result["traces"].push_back(crafter::trace_to_json(got));
      const bool has_outcomes =
          !want.mat_map.empty() || (!want.steps.empty() && want.steps.front().recorded);
      std::cout << "seed " << want.seed << " (" << want.policy << "): " << got.steps.size()
                << " steps";
      if (has_outcomes) {
        ++compared;
        const std::string diff = crafter::first_difference(want, got);
        if (diff.empty()) {
          ++same;
          std::cout << ", identical to the file";
        } else {
          std::cout << ", differs from the file at " << diff;
        }
      }
      std::cout << "\n";
    }
    write_file_atomically(*out, result.dump() + "\n");
    std::cout << "replayed " << in.at("traces").size() << " trace(s), " << steps << " steps, to "
              << *out;
    if (compared > 0) std::cout << "; " << same << " of " << compared << " identical to the file";
    std::cout << "\n";
  });
}

}  // namespace disco::cli
