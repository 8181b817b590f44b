#include "core/threads.hpp"

#include <omp.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

extern "C" {
void openblas_set_num_threads(int);
char* openblas_get_config(void);
char* openblas_get_corename(void);
}

namespace saerad {

namespace {
int g_threads = 0;
}

void set_thread_count(int threads) {
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  g_threads = threads;
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

int thread_count() {
  if (g_threads == 0) set_thread_count(0);
  return g_threads;
}

void reexec_with_passive_openmp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  ::execv("/proc/self/exe", argv);
}

const char* openblas_config() { return openblas_get_config(); }
const char* openblas_core_name() { return openblas_get_corename(); }

}  // namespace saerad
