# Shared CMake helpers for all MoSAiC sub-projects.

# Warnings we hold our own code to. LibTorch headers are included as SYSTEM, so
# they do not trigger these.
function(mosaic_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# Give a LibTorch-heavy target a precompiled header (torch/torch.h is ~1 s of
# parsing per translation unit without it; with it the clean build of the core
# on 2 cores drops by well over half).
function(mosaic_torch_pch target)
  if(MOSAIC_USE_PCH)
    target_precompile_headers(${target} PRIVATE <torch/torch.h>)
  endif()
endfunction()

# mosaic_add_test(NAME name SOURCES a.cpp b.cpp LIBS lib1 lib2 [TORCH])
# Builds one GoogleTest executable and registers each TEST with CTest.
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
  # DISCOVERY_MODE PRE_TEST: listing tests needs the libraries at test time only.
  gtest_discover_tests(${ARG_NAME} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
