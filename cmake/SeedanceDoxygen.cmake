# `cmake --build <dir> --target docs`: the API reference of the public headers, by Doxygen, with
# every warning (an undocumented public symbol included) an error. Output: <build>/docs/html.
# Only in a top-level build: a project that vendors seedance may have its own `docs` target.
if(NOT seedance_is_top_level)
  return()
endif()
find_program(SEEDANCE_DOXYGEN_EXECUTABLE doxygen)
if(NOT SEEDANCE_DOXYGEN_EXECUTABLE)
  return()
endif()
set(SEEDANCE_DOXYGEN_OUTPUT_DIR "${PROJECT_BINARY_DIR}/docs")
configure_file("${PROJECT_SOURCE_DIR}/docs/Doxyfile.in" "${PROJECT_BINARY_DIR}/Doxyfile" @ONLY)
file(GLOB seedance_public_headers CONFIGURE_DEPENDS
  "${PROJECT_SOURCE_DIR}/include/seedance/*.hpp"
  "${PROJECT_SOURCE_DIR}/mock/include/seedance/mock/*.hpp")
add_custom_target(docs
  COMMAND "${SEEDANCE_DOXYGEN_EXECUTABLE}" "${PROJECT_BINARY_DIR}/Doxyfile"
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  SOURCES ${seedance_public_headers} "${PROJECT_SOURCE_DIR}/docs/Doxyfile.in"
  COMMENT "API reference (Doxygen, warnings are errors) -> ${SEEDANCE_DOXYGEN_OUTPUT_DIR}/html"
  VERBATIM)
