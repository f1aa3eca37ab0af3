// The processes of one job and the collective operations between them, as
// meta-training needs them: every rank holds some agents of the population
// and all ranks hold the same rule. The only place in disco that knows MPI is
// src/dist/mpi_communicator.cc; everything else talks to this interface.
//
// Collectives must be called by every rank in the same order (as in MPI).
// Tensors are contiguous CPU tensors of float32, float64 or int64; the
// results are new tensors (inputs are not modified unless stated).
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>

namespace disco::dist {

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Every rank's `local` concatenated along dim 0 in rank order; the ranks'
  // tensors have the same dtype and the same sizes after dim 0 (dim 0 may
  // differ, and be 0).
  virtual torch::Tensor all_gather(const torch::Tensor& local) = 0;

  // The elementwise sum over ranks (same shape and dtype everywhere). MPI's
  // reduction order is unspecified: use all_gather and sum in a fixed order
  // where results must not depend on the number of ranks.
  virtual torch::Tensor all_reduce_sum(const torch::Tensor& x) = 0;

  // `x` from rank `root` on every rank (the others' shapes must match).
  virtual void broadcast(torch::Tensor& x, int root) = 0;

  virtual void barrier() = 0;

  // Ends the whole job with exit code `code` after printing `message` on
  // this rank's stderr; the other ranks are stopped too (never a hang).
  [[noreturn]] virtual void abort(const std::string& message, int code) = 0;
};

// One process, no MPI: all_gather returns its input, abort exits.
std::unique_ptr<Communicator> make_single_process_communicator();

// True when this process was started by an MPI launcher (mpirun, srun) and
// disco was built with MPI.
bool launched_by_mpi();

// The job's communicator: MPI's world when launched_by_mpi(), else a single
// process. Created on first use (MPI is initialised then and finalised at
// exit); always the same object.
Communicator& world();

}  // namespace disco::dist
