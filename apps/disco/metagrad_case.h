// Meta-gradient cases in the layout of shared/golden/METAGRAD.md, as
// `disco meta-grad` and its golden test use them: read the case's config,
// rule, agent state and rollouts, run N inner updates and the meta-loss
// (meta/meta_gradient.h), and return every output key of that layout.
#pragma once

#include <torch/types.h>

#include "core/params.h"

namespace disco {

// Every output of METAGRAD.md ("stepk/...", "final/...", "valid/...",
// "meta_loss/...", "meta_grad/..."), CPU float32 (int32 for counters).
// `checkpointing` selects the recomputing backward pass. Throws
// std::invalid_argument naming a missing or mis-shaped key.
ParamMap run_metagrad_case(const ParamMap& case_file, const torch::Device& device,
                           bool checkpointing = false);

}  // namespace disco
