# Finds what libudl links against and says which Debian package to install when
# something is missing. Results:
#   udl_deps        INTERFACE target (includes, flags, libraries) for in-tree targets
#   UDL_DEP_LIBS    the libraries themselves, for the installed library
#   UDL_PC_PRIVATE  the same as pkg-config Libs.private flags

function(udl_require var what package)
  if(NOT ${var})
    message(FATAL_ERROR
      "udl needs ${what}, which was not found.\n"
      "On Debian or Ubuntu install it with:  apt-get install ${package}\n"
      "(or run 'make deps' in the source tree, which installs everything udl needs).")
  endif()
endfunction()

find_path(UDL_CBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
find_library(UDL_OPENBLAS_LIBRARY NAMES openblas)
udl_require(UDL_CBLAS_INCLUDE_DIR "the CBLAS header (cblas.h) from OpenBLAS" libopenblas-dev)
udl_require(UDL_OPENBLAS_LIBRARY "the OpenBLAS library (libopenblas)" libopenblas-dev)

find_path(UDL_LAPACKE_INCLUDE_DIR lapacke.h)
find_library(UDL_LAPACKE_LIBRARY NAMES lapacke)
udl_require(UDL_LAPACKE_INCLUDE_DIR "the LAPACKE header (lapacke.h)" liblapacke-dev)
udl_require(UDL_LAPACKE_LIBRARY "the LAPACKE library (liblapacke)" liblapacke-dev)

find_package(ZLIB QUIET)
udl_require(ZLIB_FOUND "zlib (gzip-compressed IDX files, CRC-32)" zlib1g-dev)

find_package(OpenMP QUIET COMPONENTS C)
udl_require(OpenMP_C_FOUND "OpenMP for C (gcc's libgomp)" "gcc (libgomp)")

set(UDL_DEP_LIBS ${UDL_LAPACKE_LIBRARY} ${UDL_OPENBLAS_LIBRARY} ${ZLIB_LIBRARIES}
    ${OpenMP_C_LIBRARIES} m)
set(UDL_PC_PRIVATE "-llapacke -lopenblas -lz ${OpenMP_C_FLAGS} -lpthread -lm")

add_library(udl_deps INTERFACE)
target_include_directories(udl_deps INTERFACE
  ${UDL_CBLAS_INCLUDE_DIR} ${UDL_LAPACKE_INCLUDE_DIR} ${ZLIB_INCLUDE_DIRS})
separate_arguments(UDL_OPENMP_FLAGS NATIVE_COMMAND "${OpenMP_C_FLAGS}")
target_compile_options(udl_deps INTERFACE $<$<COMPILE_LANGUAGE:C>:${UDL_OPENMP_FLAGS}>)
target_link_libraries(udl_deps INTERFACE ${UDL_DEP_LIBS})
