# reviewer_component(NAME DIR [PUBLIC deps...] [PRIVATE deps...])
# One static library per component folder, built from the folder's own .cpp
# files (subfolders have their own targets). Includes are rooted at the
# project root: #include "reviewer/core/diff.h".
function(reviewer_component name)
  cmake_parse_arguments(ARG "" "" "PUBLIC;PRIVATE" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  if(NOT sources)
    # A component still being written: skip it rather than fail configure.
    message(STATUS "component ${name}: no sources yet, skipped")
    return()
  endif()
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC} PRIVATE reviewer_settings ${ARG_PRIVATE})
  reviewer_build_speed(${name})
endfunction()
