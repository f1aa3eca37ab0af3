// The communicator of a job of one process: collectives are identities.
#include <cstdlib>
#include <iostream>

#include "dist/communicator.h"

namespace disco::dist {
namespace {

class SingleProcessCommunicator final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  torch::Tensor all_gather(const torch::Tensor& local) override { return local.clone(); }
  torch::Tensor all_reduce_sum(const torch::Tensor& x) override { return x.clone(); }
  void broadcast(torch::Tensor&, int root) override {
    if (root != 0) throw std::invalid_argument("broadcast: no rank " + std::to_string(root));
  }
  void barrier() override {}
  [[noreturn]] void abort(const std::string& message, int code) override {
    std::cerr << message << std::endl;
    std::exit(code);
  }
};

}  // namespace

std::unique_ptr<Communicator> make_single_process_communicator() {
  return std::make_unique<SingleProcessCommunicator>();
}

}  // namespace disco::dist
