// Checks that every rank holds the same thing (e.g. the rule's fingerprint),
// so that ranks that drifted apart stop the job instead of training on.
#pragma once

#include <cstdint>
#include <string>

#include "dist/communicator.h"

namespace disco::dist {

// A collective: gathers every rank's `value` and throws std::runtime_error
// naming `what` and the ranks that differ from rank 0 when they are not all
// equal (on every rank, so that none waits for the others).
void check_same_on_all_ranks(Communicator& comm, uint64_t value, const std::string& what);

}  // namespace disco::dist
