// `disco targets`: applies an update rule to recorded calls in the golden-file
// layout (src/rules/disco_targets.h) and writes its targets, losses,
// gradients and carried state to an .npz, atomically.
#include <torch/torch.h>

#include <iostream>

#include "core/device.h"
#include "commands.h"
#include "io/npz_tensors.h"
#include "golden/disco_targets.h"

namespace disco::cli {

void add_targets_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "targets", "Apply an update rule to recorded calls (golden layout); write its outputs");
  static std::string rule_name = "disco103";
  static std::string weights = std::string(DISCO_SHARED_DIR) + "/weights/disco_103.npz";
  static std::string rollout, out, device = "cpu";
  cmd->add_option("--rule", rule_name, "update rule (disco103)")->capture_default_str();
  cmd->add_option("--weights", weights, "meta-parameters .npz")->capture_default_str();
  cmd->add_option("--rollout", rollout, "input .npz: call1/..., call2/... (golden layout)")->required();
  cmd->add_option("--out", out, "output .npz")->required();
  cmd->add_option("--device", device, "torch device, e.g. cpu or cuda")->capture_default_str();
  cmd->callback([]() {
    if (rule_name != "disco103") throw UsageError("unknown rule '" + rule_name + "' (known: disco103)");
    const DiscoRule rule;
    const ParamMap meta_params = load_disco_meta_params(weights, rule.settings());
    const ParamMap file = load_tensors(rollout);
    const ParamMap result = run_disco_calls(rule, meta_params, file, checked_device(device));
    save_tensors(out, result);
    std::cout << "wrote " << result.size() << " arrays for " << count_calls(file) << " call(s) to "
              << out << "\n";
  });
}

}  // namespace disco::cli
