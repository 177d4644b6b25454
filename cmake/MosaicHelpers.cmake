# Shared CMake helpers for all MoSAiC sub-projects.

# Warnings we hold our own code to. LibTorch headers are included as SYSTEM, so
# they do not trigger these.
function(mosaic_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# Give a LibTorch-heavy target a precompiled header (torch/torch.h is ~1 s of
# parsing per translation unit without it; with it the clean build of the core
# on 2 cores drops by well over half).
#
# The header is precompiled once per kind of code and shared (REUSE_FROM):
# once for position-independent library objects (-fPIC) and once for
# executables (-fPIE); GCC refuses a PCH built with the other one. With debug
# info each .gch is about 700 MB, so one per target (15 of them) filled a CI
# machine's disk.
function(mosaic_torch_pch target)
  if(NOT MOSAIC_USE_PCH)
    return()
  endif()
  get_target_property(_type ${target} TYPE)
  if(_type STREQUAL "EXECUTABLE")
    set(_holder mosaic_torch_pch_for_executables)
  else()
    set(_holder mosaic_torch_pch_for_libraries)
  endif()
  if(NOT TARGET ${_holder})
    _mosaic_add_torch_pch_holder(${_holder} ${_type})
  endif()
  target_precompile_headers(${target} REUSE_FROM ${_holder})
endfunction()

# An object library whose only job is to own the precompiled torch/torch.h,
# compiled with the flags of the targets that reuse it.
function(_mosaic_add_torch_pch_holder holder type)
  set(_source ${CMAKE_BINARY_DIR}/${holder}.cpp)
  # CONFIGURE rewrites it only when the text changes, so reconfiguring does
  # not rebuild anything.
  file(CONFIGURE OUTPUT ${_source}
       CONTENT "// owns the shared precompiled torch/torch.h (cmake/MosaicHelpers.cmake)\n")
  add_library(${holder} OBJECT ${_source})
  target_link_libraries(${holder} PRIVATE mosaic_torch)
  target_precompile_headers(${holder} PRIVATE <torch/torch.h>)
  if(type STREQUAL "EXECUTABLE")
    # What CMake gives executables when POSITION_INDEPENDENT_CODE is on.
    set_target_properties(${holder} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
    target_compile_options(${holder} PRIVATE ${CMAKE_CXX_COMPILE_OPTIONS_PIE})
  else()
    set_target_properties(${holder} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  endif()
endfunction()

# Registers one CTest test per GoogleTest suite (TEST/TEST_F/TEST_P first
# argument) found in the sources, named <suite> and run with
# --gtest_filter=<suite>.*. One process per suite rather than per test: each
# process that links LibTorch spends most of a second loading it, which per
# test would dominate the suite's run time.
function(mosaic_register_test_suites target labels)
  set(_suites)
  foreach(_source ${ARGN})
    file(STRINGS ${_source} _lines REGEX "^(TEST|TEST_F|TEST_P)\\(")
    foreach(_line ${_lines})
      string(REGEX REPLACE "^TEST(_F|_P)?\\(([A-Za-z0-9_]+),.*" "\\2" _suite "${_line}")
      list(APPEND _suites ${_suite})
    endforeach()
  endforeach()
  # Editing a test file must re-run this scan.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${ARGN})
  list(REMOVE_DUPLICATES _suites)
  if(NOT _suites)
    message(FATAL_ERROR "${target}: no TEST(...) found in its sources")
  endif()
  foreach(_suite ${_suites})
    # A filter that matches nothing would pass silently: fail it instead.
    add_test(NAME ${_suite} COMMAND $<TARGET_FILE:${target}>
             --gtest_filter=${_suite}.*:*/${_suite}.*:${_suite}/*)
    set_tests_properties(${_suite} PROPERTIES LABELS "${labels}"
                         FAIL_REGULAR_EXPRESSION "\\[  PASSED  \\] 0 tests")
  endforeach()
endfunction()

# mosaic_add_test(NAME name SOURCES a.cpp b.cpp LIBS lib1 lib2 [TORCH])
# Builds one GoogleTest executable and registers each of its suites with CTest.
function(mosaic_add_test)
  cmake_parse_arguments(ARG "TORCH" "NAME" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(STATUS "MoSAiC: no sources for ${ARG_NAME} yet, skipped")
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  target_include_directories(${ARG_NAME} PRIVATE ${MOSAIC_SOURCE_DIR}/tests)
  target_compile_definitions(${ARG_NAME} PRIVATE
    MOSAIC_SOURCE_DIR="${MOSAIC_SOURCE_DIR}"
    MOSAIC_SAMPLE_DATA_DIR="${MOSAIC_SAMPLE_DATA_DIR}"
    MOSAIC_SHARED_DATA_DIR="${MOSAIC_SHARED_DATA_DIR}")
  mosaic_set_warnings(${ARG_NAME})
  if(ARG_TORCH)
    mosaic_torch_pch(${ARG_NAME})
  endif()
  mosaic_register_test_suites(${ARG_NAME} "${ARG_LABELS}" ${ARG_SOURCES})
endfunction()
