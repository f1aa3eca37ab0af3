#include "dist/consistency.h"

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace disco::dist {

void check_same_on_all_ranks(Communicator& comm, uint64_t value, const std::string& what) {
  int64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  const auto all = comm.all_gather(torch::tensor({bits}, torch::kInt64));
  if (all.numel() != comm.size()) {
    throw std::runtime_error("check_same_on_all_ranks: gathered " + std::to_string(all.numel()) +
                             " values from " + std::to_string(comm.size()) + " ranks");
  }
  const int64_t* v = all.data_ptr<int64_t>();
  std::ostringstream differ;
  for (int r = 1; r < comm.size(); ++r) {
    if (v[r] != v[0]) differ << (differ.tellp() > 0 ? ", " : "") << r;
  }
  if (differ.tellp() > 0) {
    std::ostringstream msg;
    msg << "ranks disagree on " << what << ": rank(s) " << differ.str() << " differ from rank 0 ("
        << std::hex << static_cast<uint64_t>(v[0]) << ")";
    throw std::runtime_error(msg.str());
  }
}

}  // namespace disco::dist
