// `disco._disco`: the C++ core as a Python extension (pybind11). Tensors
// cross as torch.Tensor without copies (LibTorch is shared with Debian's
// python3-torch); C++ exceptions arrive as Python exceptions with the same
// one-line messages (std::invalid_argument -> ValueError, others ->
// RuntimeError). The friendly API is python/disco/__init__.py.
#include <torch/extension.h>

#include "bindings.h"

namespace disco::python {

const char* default_disco103_weights() { return DISCO_SHARED_DIR "/weights/disco_103.npz"; }

}  // namespace disco::python

PYBIND11_MODULE(_disco, m) {
  m.doc() = "disco's C++ core (see the disco package)";
  m.attr("default_disco103_weights") = disco::python::default_disco103_weights();
  disco::python::bind_envs(m);
  disco::python::bind_rules(m);
  disco::python::bind_training(m);
}
