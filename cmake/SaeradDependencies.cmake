# Every dependency comes from Debian 12 packages (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(OpenMP REQUIRED)
find_package(BLAS REQUIRED)            # OpenBLAS (libopenblas-dev)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PNG REQUIRED)
find_package(JPEG REQUIRED)
find_package(ZLIB REQUIRED)
find_package(fmt REQUIRED)
find_package(DCMTK REQUIRED CONFIG)     # DICOM (libdcmtk-dev)
set(SAERAD_DCMTK_LIBS DCMTK::dcmdata DCMTK::dcmimgle DCMTK::dcmimage DCMTK::dcmjpeg DCMTK::dcmjpls)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # Debian ships cpp-httplib compiled, via pkg-config
add_library(httplib::httplib ALIAS PkgConfig::HTTPLIB)

# OpenBLAS' cblas.h lives in a per-variant include dir on Debian.
find_path(CBLAS_INCLUDE_DIR cblas.h PATHS /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas
          /usr/include/x86_64-linux-gnu REQUIRED)
add_library(saerad_blas INTERFACE)
target_include_directories(saerad_blas INTERFACE ${CBLAS_INCLUDE_DIR})
target_link_libraries(saerad_blas INTERFACE ${BLAS_LIBRARIES})
