# The SEEDANCE_VERSION_* macros in version.hpp must match project(VERSION): a release bumps both,
# and a forgotten one fails the configure step instead of shipping a header that lies.
function(seedance_check_version_header header)
  file(STRINGS "${header}" lines REGEX "^#define SEEDANCE_VERSION_(MAJOR|MINOR|PATCH) ")
  set(header_version)
  foreach(part MAJOR MINOR PATCH)
    string(REGEX MATCH "SEEDANCE_VERSION_${part} ([0-9]+)" _ "${lines}")
    list(APPEND header_version "${CMAKE_MATCH_1}")
  endforeach()
  list(JOIN header_version "." header_version)
  if(NOT header_version STREQUAL PROJECT_VERSION)
    message(FATAL_ERROR
      "${header} says ${header_version} but project(VERSION) says ${PROJECT_VERSION}")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${header}")
endfunction()
