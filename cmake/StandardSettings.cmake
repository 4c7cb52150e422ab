# One INTERFACE target carries the language level, warnings and shared
# definitions; every first-party target links it PRIVATE.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

add_library(reviewer_settings INTERFACE)
target_compile_options(reviewer_settings INTERFACE -Wall -Wextra -Wpedantic)
# GCC 12 reports false -Warray-bounds / -Wstringop-overflow / -Wrestrict on
# std::string concatenation at -O2 (GCC bugs 105329, 105651): keep them from
# failing -Werror builds on Debian 12's compiler.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(reviewer_settings INTERFACE -Wno-array-bounds -Wno-stringop-overflow -Wno-restrict)
endif()
if(REVIEWER_WARNINGS_AS_ERRORS)
  target_compile_options(reviewer_settings INTERFACE -Werror)
endif()
if(REVIEWER_SANITIZE)
  target_compile_options(reviewer_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(reviewer_settings INTERFACE -fsanitize=address,undefined)
endif()
if(REVIEWER_BUILD_FUZZ)
  # tests/fuzz: every library instrumented for libFuzzer's coverage, with
  # ASan and UBSan (a UBSan report aborts, so the fuzzer keeps it).
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "REVIEWER_BUILD_FUZZ needs clang (CXX=clang++)")
  endif()
  target_compile_options(reviewer_settings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                         -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  target_link_options(reviewer_settings INTERFACE -fsanitize=address,undefined)
endif()
# -pthread for every target: re2's pkg-config flags add it to some, it
# defines _REENTRANT, and GCC refuses the shared precompiled header below in
# a target compiled otherwise than the header was. (Threads::Threads adds no
# flag on glibc 2.34+, where pthreads are in libc.)
target_compile_options(reviewer_settings INTERFACE -pthread)
target_link_options(reviewer_settings INTERFACE -pthread)
# cpprestsdk defines a macro U(x) that breaks fmt 9's headers (BUILD-NOTES.md).
target_compile_definitions(reviewer_settings INTERFACE
  _TURN_OFF_PLATFORM_STRING
  REVIEWER_VERSION="${PROJECT_VERSION}")

# Build speed (issue 18): a 2-core machine builds about 160 library sources
# and 120 test sources. Two levers, both measured in bench/README.md `## build`:
#  - unity builds: each target's sources are compiled REVIEWER_UNITY_BATCH at
#    a time in one translation unit, so the heavy headers (nlohmann_json,
#    fmt, the standard library) are parsed, and their templates instantiated
#    and optimised, once per batch instead of once per file. A source that
#    cannot share a translation unit (two files defining the same name in an
#    anonymous namespace) is marked SKIP_UNITY_BUILD_INCLUSION next to its
#    target; -DREVIEWER_UNITY_BUILD=OFF builds file by file.
#  - ONE precompiled header (reviewer_pch below) for every library and test
#    target (REUSE_FROM), instead of one per target.
option(REVIEWER_UNITY_BUILD "Compile each target's sources in batches (unity build)" ON)
set(REVIEWER_UNITY_BATCH 8 CACHE STRING "Sources per unity translation unit")
option(REVIEWER_PCH "Use one shared precompiled header" ON)

if(REVIEWER_PCH)
  # The PCH is built once, by this object library, with the same flags as
  # every target that reuses it (reviewer_settings, fmt's FMT_SHARED).
  # GCC refuses a PCH built with other flags (-Winvalid-pch: an error under
  # -Werror), so a mismatch cannot go unnoticed.
  add_library(reviewer_pch OBJECT "${CMAKE_CURRENT_LIST_DIR}/pch.cpp")
  target_link_libraries(reviewer_pch PRIVATE reviewer_settings fmt::fmt nlohmann_json::nlohmann_json)
  target_precompile_headers(reviewer_pch PRIVATE
    <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <mutex> <optional>
    <set> <sstream> <string> <string_view> <thread> <unordered_map> <utility> <vector>
    <fmt/format.h> <nlohmann/json.hpp>)
endif()

# reviewer_build_speed(target): the shared PCH and the unity build, for a
# first-party library or executable.
function(reviewer_build_speed target)
  if(REVIEWER_PCH)
    # Every first-party target links reviewer_core, hence fmt::fmt and its
    # FMT_SHARED, as the PCH does.
    target_precompile_headers(${target} REUSE_FROM reviewer_pch)
  endif()
  if(REVIEWER_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${REVIEWER_UNITY_BATCH})
  endif()
endfunction()
