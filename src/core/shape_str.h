// A tensor shape as text for error messages: "[3, 4]".
#pragma once

#include <torch/types.h>

#include <sstream>
#include <string>

namespace disco {

inline std::string shape_str(at::IntArrayRef shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

}  // namespace disco
