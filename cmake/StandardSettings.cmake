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
# cpprestsdk defines a macro U(x) that breaks fmt 9's headers (BUILD-NOTES.md).
target_compile_definitions(reviewer_settings INTERFACE
  _TURN_OFF_PLATFORM_STRING
  REVIEWER_VERSION="${PROJECT_VERSION}")

# Precompiled headers: the heavy third-party headers most files include.
# On a 2-core machine they cut the build roughly in half.
option(REVIEWER_PCH "Use precompiled headers" ON)
function(reviewer_pch target)
  if(REVIEWER_PCH)
    target_precompile_headers(${target} PRIVATE
      <string> <vector> <map> <memory> <functional> <optional> <string_view>
      <fmt/format.h> <nlohmann/json.hpp>)
  endif()
endfunction()
