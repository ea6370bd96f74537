# Provides the imported targets tf::arrow and tf::parquet.
#
# A system Arrow (find_package(Arrow/Parquet CONFIG)) wins when CMake finds one. Otherwise the
# Arrow C++ and Parquet libraries bundled in the pinned pyarrow wheel of the project's .venv are
# used, as Arrow documents for building C++ against the wheel. Those libraries carry an ABI suffix
# (libarrow.so.2600) and no unversioned symlink, so we import the exact files and put their folder
# on the binaries' RUNPATH: the tradeflow binary then runs without LD_LIBRARY_PATH.

find_package(Arrow CONFIG QUIET)
find_package(Parquet CONFIG QUIET)
if(Arrow_FOUND AND Parquet_FOUND)
  message(STATUS "Arrow: system ${Arrow_VERSION}")
  add_library(tf::arrow INTERFACE IMPORTED)
  target_link_libraries(tf::arrow INTERFACE Arrow::arrow_shared)
  add_library(tf::parquet INTERFACE IMPORTED)
  target_link_libraries(tf::parquet INTERFACE Parquet::parquet_shared)
  add_library(tf::arrow_compute INTERFACE IMPORTED)
  find_package(ArrowCompute CONFIG QUIET)  # a separate library since Arrow 21
  if(ArrowCompute_FOUND)
    target_link_libraries(tf::arrow_compute INTERFACE ArrowCompute::arrow_compute_shared)
  else()
    target_link_libraries(tf::arrow_compute INTERFACE Arrow::arrow_shared)
  endif()
  return()
endif()

set(TF_PYTHON "${PROJECT_SOURCE_DIR}/.venv/bin/python" CACHE FILEPATH "Python with pyarrow")
if(NOT EXISTS "${TF_PYTHON}")
  message(FATAL_ERROR "No system Arrow and no ${TF_PYTHON}: run scripts/setup.sh first")
endif()
execute_process(
  COMMAND "${TF_PYTHON}" -c "import pyarrow as pa; print(pa.get_include()); print(pa.get_library_dirs()[0]); print(pa.__version__)"
  OUTPUT_VARIABLE _pa_out RESULT_VARIABLE _pa_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _pa_rc EQUAL 0)
  message(FATAL_ERROR "pyarrow is not importable from ${TF_PYTHON}: run scripts/setup.sh")
endif()
string(REPLACE "\n" ";" _pa_lines "${_pa_out}")
list(GET _pa_lines 0 TF_ARROW_INCLUDE_DIR)
list(GET _pa_lines 1 TF_ARROW_LIB_DIR)
list(GET _pa_lines 2 TF_ARROW_VERSION)
message(STATUS "Arrow: pyarrow wheel ${TF_ARROW_VERSION} in ${TF_ARROW_LIB_DIR}")

function(_tf_import_wheel_lib target stem)
  file(GLOB _candidates "${TF_ARROW_LIB_DIR}/lib${stem}.so.[0-9]*")
  list(FILTER _candidates EXCLUDE REGEX "\\.so\\.[0-9]+\\.[0-9]")
  list(LENGTH _candidates _n)
  if(NOT _n EQUAL 1)
    message(FATAL_ERROR "Expected one lib${stem}.so.N in ${TF_ARROW_LIB_DIR}, found: ${_candidates}")
  endif()
  add_library(${target} SHARED IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    IMPORTED_LOCATION "${_candidates}"
    IMPORTED_NO_SONAME FALSE
    INTERFACE_INCLUDE_DIRECTORIES "${TF_ARROW_INCLUDE_DIR}")
endfunction()
_tf_import_wheel_lib(tf::arrow arrow)
_tf_import_wheel_lib(tf::parquet parquet)
_tf_import_wheel_lib(tf::arrow_compute arrow_compute)
set_property(TARGET tf::arrow_compute APPEND PROPERTY INTERFACE_LINK_LIBRARIES tf::arrow)
set_property(TARGET tf::parquet APPEND PROPERTY INTERFACE_LINK_LIBRARIES tf::arrow)
list(APPEND CMAKE_BUILD_RPATH "${TF_ARROW_LIB_DIR}")
set(TF_ARROW_RUNPATH "${TF_ARROW_LIB_DIR}")
