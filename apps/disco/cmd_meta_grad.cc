// `disco meta-grad`: the meta-gradient of one agent's inner updates for a
// case in the layout of shared/golden/METAGRAD.md; writes every output key
// of that layout to an .npz, atomically.
#include <torch/torch.h>

#include <iostream>

#include "core/device.h"
#include "commands.h"
#include "io/npz_tensors.h"
#include "metagrad_case.h"

namespace disco::cli {

void add_meta_grad_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "meta-grad", "Meta-gradient through N inner agent updates for a case (METAGRAD.md layout)");
  static std::string case_path, out, device = "cpu";
  static bool checkpointing = false;
  cmd->add_option("--case", case_path, "input .npz: config/, rule/, agent/, train/, valid/, ...")
      ->required();
  cmd->add_option("--out", out, "output .npz (stepk/, final/, valid/, meta_loss/, meta_grad/)")
      ->required();
  cmd->add_option("--device", device, "torch device, e.g. cpu or cuda")->capture_default_str();
  cmd->add_flag("--checkpointing", checkpointing,
                "recompute each inner update in the backward pass (less memory, same gradient)");
  cmd->callback([]() {
    const ParamMap file = load_tensors(case_path);
    const ParamMap result = run_metagrad_case(file, checked_device(device), checkpointing);
    save_tensors(out, result);
    std::cout << "wrote " << result.size() << " arrays to " << out << "\n";
  });
}

}  // namespace disco::cli
