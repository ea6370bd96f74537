# tf_module(<name> DEPS <targets...>)
#
# Every folder under src/ is one module and one static library, tf_<name>. Its sources are the
# .cc files of the folder (recursively) except *_test.cc; the tests beside them form one GoogleTest
# binary, tf_<name>_test, registered with ctest. New files need no CMake edit.
function(tf_module name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE _all CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  set(_srcs ${_all})
  list(FILTER _srcs EXCLUDE REGEX "_test\\.cc$")
  list(FILTER _srcs EXCLUDE REGEX "/main\\.cc$")
  set(_tests ${_all})
  list(FILTER _tests INCLUDE REGEX "_test\\.cc$")
  if(_srcs)
    add_library(tf_${name} STATIC ${_srcs})
    target_link_libraries(tf_${name} PUBLIC ${ARG_DEPS})
    target_include_directories(tf_${name} PUBLIC "${PROJECT_SOURCE_DIR}/src")
  else()  # a module still being written: headers only
    add_library(tf_${name} INTERFACE)
    target_link_libraries(tf_${name} INTERFACE ${ARG_DEPS})
    target_include_directories(tf_${name} INTERFACE "${PROJECT_SOURCE_DIR}/src")
  endif()
  if(_tests AND BUILD_TESTING)
    add_executable(tf_${name}_test ${_tests})
    target_link_libraries(tf_${name}_test PRIVATE tf_${name} ${ARG_TEST_DEPS} GTest::gtest_main GTest::gmock)
    target_compile_definitions(tf_${name}_test PRIVATE TF_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    gtest_discover_tests(tf_${name}_test DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
  endif()
endfunction()
