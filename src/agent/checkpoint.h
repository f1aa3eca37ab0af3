// Checkpoints of a training run: one .npz written atomically (temporary
// file, fsync, rename), holding everything needed to continue bit for bit:
//   agent/<param>            agent parameters
//   opt/count, opt/mu/<p>, opt/nu/<p>   optimiser state
//   meta_state/<name>        the rule's state (EMAs, Disco's target_params/...)
//   replay/...               replay contents and position
//   actor/state              environments, their generators, the actor's Rng
//                            and pending rewards (bytes packed in int64)
//   trainer/rng, trainer/counters, trainer/window   learner-side Rng, step
//                            counters, the open metrics window
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/learner.h"
#include "core/rng.h"

namespace disco {

// Byte blobs in tensors (npz has no uint8 here): [8-byte length, data...].
torch::Tensor pack_bytes(const std::vector<uint8_t>& bytes);
std::vector<uint8_t> unpack_bytes(const torch::Tensor& packed);

// The checkpoint entry `name` as a flat, contiguous CPU tensor, after
// checking that it holds `count` values of `dtype`: a checkpoint is input, and
// its counters are read through raw pointers. Throws std::invalid_argument.
torch::Tensor checkpoint_values(const ParamMap& in, const std::string& name,
                                torch::ScalarType dtype, int64_t count);

torch::Tensor pack_rng(const Rng& rng);
void unpack_rng(const torch::Tensor& packed, Rng& rng);

// Adds the learner state under agent/, opt/, meta_state/.
void put_learner_state(ParamMap& out, const LearnerState& state);
// Reads it back onto `device`; throws if parameters are missing or extra
// compared with `expected` (a freshly initialised state).
LearnerState get_learner_state(const ParamMap& in, const LearnerState& expected,
                               torch::Device device);

}  // namespace disco
