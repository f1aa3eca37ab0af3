// The communicator on MPI (the only file of disco that includes mpi.h), and
// the choice between it and a single process (world()).
//
// Tensors travel as bytes (MPI_BYTE), so every dtype takes the same path;
// sums use MPI's own types. MPI is initialised with MPI_THREAD_FUNNELED:
// LibTorch's worker threads never call MPI, only the main thread does.
#include <cstdlib>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <vector>

#include "dist/communicator.h"

#ifdef DISCO_WITH_MPI
// The C API only: without these, mpi.h drags in the deprecated C++ bindings.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace disco::dist {
namespace {

#ifdef DISCO_WITH_MPI

void check_tensor(const torch::Tensor& t, const char* op) {
  if (!t.defined() || t.device().type() != torch::kCPU || !t.is_contiguous()) {
    throw std::invalid_argument(std::string(op) + ": needs a contiguous CPU tensor");
  }
  const auto type = t.scalar_type();
  if (type != torch::kFloat32 && type != torch::kFloat64 && type != torch::kInt64) {
    throw std::invalid_argument(std::string(op) + ": needs float32, float64 or int64, got " +
                                std::string(c10::toString(type)));
  }
}

int checked_count(int64_t n, const char* op) {
  if (n > std::numeric_limits<int>::max()) {
    throw std::length_error(std::string(op) + ": " + std::to_string(n) +
                            " bytes exceed what one MPI call moves (2^31 - 1)");
  }
  return static_cast<int>(n);
}

void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw std::runtime_error(std::string(what) + " failed: " + std::string(text, length));
}

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    }
    // Errors come back as codes (and become exceptions), not as MPI's abort.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiCommunicator() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (!finalised) MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  torch::Tensor all_gather(const torch::Tensor& local) override {
    check_tensor(local, "all_gather");
    // Every rank's shape first: dim 0 may differ, the rest must not.
    const int64_t dims = local.dim();
    std::vector<int64_t> shape(local.sizes().begin(), local.sizes().end());
    if (dims == 0) throw std::invalid_argument("all_gather: needs a tensor with a dim 0");
    std::vector<int64_t> meta = {dims, static_cast<int64_t>(local.scalar_type())};
    meta.insert(meta.end(), shape.begin(), shape.end());
    const int64_t width = static_cast<int64_t>(meta.size());
    std::vector<int64_t> lengths(size_);
    check_mpi(MPI_Allgather(&width, 1, MPI_INT64_T, lengths.data(), 1, MPI_INT64_T, MPI_COMM_WORLD),
              "MPI_Allgather");
    for (int r = 0; r < size_; ++r) {
      if (lengths[r] != width) throw std::invalid_argument(mismatch("all_gather", r));
    }
    std::vector<int64_t> all_meta(static_cast<size_t>(width) * size_);
    check_mpi(MPI_Allgather(meta.data(), static_cast<int>(width), MPI_INT64_T, all_meta.data(),
                            static_cast<int>(width), MPI_INT64_T, MPI_COMM_WORLD),
              "MPI_Allgather");
    int64_t row_bytes = local.element_size();
    for (int64_t d = 1; d < dims; ++d) row_bytes *= shape[d];
    int64_t rows = 0;
    std::vector<int> counts(size_), offsets(size_);
    for (int r = 0; r < size_; ++r) {
      const int64_t* m = all_meta.data() + static_cast<size_t>(r) * width;
      if (m[1] != meta[1]) throw std::invalid_argument(mismatch("all_gather", r));
      for (int64_t d = 1; d < dims; ++d) {
        if (m[2 + d] != shape[d]) throw std::invalid_argument(mismatch("all_gather", r));
      }
      offsets[r] = checked_count(rows * row_bytes, "all_gather");
      counts[r] = checked_count(m[2] * row_bytes, "all_gather");
      rows += m[2];
    }
    checked_count(rows * row_bytes, "all_gather");
    shape[0] = rows;
    auto out = torch::empty(shape, local.options());
    check_mpi(MPI_Allgatherv(local.data_ptr(), counts[rank_], MPI_BYTE, out.data_ptr(),
                             counts.data(), offsets.data(), MPI_BYTE, MPI_COMM_WORLD),
              "MPI_Allgatherv");
    return out;
  }

  torch::Tensor all_reduce_sum(const torch::Tensor& x) override {
    check_tensor(x, "all_reduce_sum");
    auto out = torch::empty_like(x);
    const MPI_Datatype type = x.scalar_type() == torch::kFloat32   ? MPI_FLOAT
                              : x.scalar_type() == torch::kFloat64 ? MPI_DOUBLE
                                                                   : MPI_INT64_T;
    check_mpi(MPI_Allreduce(x.data_ptr(), out.data_ptr(), checked_count(x.numel(), "all_reduce_sum"),
                            type, MPI_SUM, MPI_COMM_WORLD),
              "MPI_Allreduce");
    return out;
  }

  void broadcast(torch::Tensor& x, int root) override {
    check_tensor(x, "broadcast");
    if (root < 0 || root >= size_) {
      throw std::invalid_argument("broadcast: no rank " + std::to_string(root));
    }
    check_mpi(MPI_Bcast(x.data_ptr(), checked_count(x.numel() * x.element_size(), "broadcast"),
                        MPI_BYTE, root, MPI_COMM_WORLD),
              "MPI_Bcast");
  }

  void barrier() override { check_mpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

  [[noreturn]] void abort(const std::string& message, int code) override {
    std::cerr << message << std::endl;
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort does not return; this is for the compiler
  }

 private:
  std::string mismatch(const char* op, int other) const {
    return std::string(op) + ": rank " + std::to_string(other) +
           " passed a tensor of another dtype or shape than rank " + std::to_string(rank_);
  }

  int rank_ = 0;
  int size_ = 1;
};

#endif  // DISCO_WITH_MPI

}  // namespace

bool launched_by_mpi() {
#ifdef DISCO_WITH_MPI
  // Open MPI's mpirun, PMIx launchers (srun --mpi=pmix) and PMI-1/2 ones.
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(var)) return true;
  }
#endif
  return false;
}

Communicator& world() {
#ifdef DISCO_WITH_MPI
  static std::unique_ptr<Communicator> comm = launched_by_mpi()
                                                  ? std::unique_ptr<Communicator>(new MpiCommunicator())
                                                  : make_single_process_communicator();
#else
  static std::unique_ptr<Communicator> comm = make_single_process_communicator();
#endif
  return *comm;
}

}  // namespace disco::dist
