#pragma once
// One thread-count setting honoured by OpenMP and OpenBLAS alike (`--threads`, default: all cores).
namespace saerad {

void set_thread_count(int threads);  // <= 0 means all hardware threads
int thread_count();
const char* openblas_config();       // OpenBLAS build/kernel description, e.g. "OpenBLAS 0.3.21 ... SkylakeX"
const char* openblas_core_name();    // the active kernel set, e.g. "Haswell"

}  // namespace saerad
