// A Python environment with Gymnasium's API as a disco `Environment`, so that
// the batched layer, the actors and the learners of the C++ core train on it
// unchanged (stepping in Python, learning in C++).
//
// What the Python object must offer:
//   reset(seed=int) -> obs or (obs, info)
//   step(action: int) -> (obs, reward, terminated, truncated, info)
//                        (or Gym's older (obs, reward, done, info))
//   observation_space.shape, action_space.n   (or given explicitly)
// Observations are anything NumPy reads as numbers (arrays, lists, tensors on
// the CPU); they are copied as float32 into the environment's buffer.
//
// Randomness: every reset passes a seed drawn from the slot's disco Rng, so a
// run is a function of its seed as long as the environment draws only from
// the seed reset() gives it. Checkpoints save the environment with pickle.
// Every call into Python takes the GIL; callers may hold it released.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "envs/registry.h"

namespace disco::python {

struct PythonEnvOptions {
  int max_episode_steps = 0;  // 0: from env.spec.max_episode_steps, else none
};

// Adds `factory` (a class or any callable returning an environment) to the
// environments make_env knows, as "python_<name>" where <name> is the
// factory's __name__ (or `name` if given); returns that name.
std::string register_python_env(const pybind11::object& factory, const std::string& name,
                                const PythonEnvOptions& options);

}  // namespace disco::python
