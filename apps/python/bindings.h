// The parts of the `disco._disco` extension module, one file each.
#pragma once

#include <pybind11/pybind11.h>

namespace disco::python {

void bind_envs(pybind11::module_& m);      // bind_envs.cc: disco.make, disco.envs
void bind_rules(pybind11::module_& m);     // bind_rules.cc: disco.Rule
void bind_training(pybind11::module_& m);  // bind_training.cc: disco.train, disco.meta_train

// Where "disco103" is read from unless a call names another file.
const char* default_disco103_weights();

}  // namespace disco::python
