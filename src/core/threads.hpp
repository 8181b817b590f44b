#pragma once
// One thread-count setting honoured by OpenMP and OpenBLAS alike (`--threads`, default: all cores).
namespace saerad {

void set_thread_count(int threads);  // <= 0 means all hardware threads
int thread_count();
const char* openblas_config();       // OpenBLAS build/kernel description, e.g. "OpenBLAS 0.3.21 ... SkylakeX"
const char* openblas_core_name();    // the active kernel set, e.g. "Haswell"

// OpenMP's idle threads busy-wait after each parallel region by default and take the cores from OpenBLAS's
// own threads in the GEMM that follows (the ViT forward ran at 56% of sgemm throughput on 2 cores instead of
// 66%). libgomp reads OMP_WAIT_POLICY only when it loads, so a program's main() calls this first: unless the
// user chose a policy, it re-executes the program once with OMP_WAIT_POLICY=PASSIVE. Returns when nothing
// needed doing (or when the exec failed, which only costs speed).
void reexec_with_passive_openmp_wait(char** argv);

}  // namespace saerad
