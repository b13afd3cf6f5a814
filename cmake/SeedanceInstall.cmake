# Install rules: headers, libseedance (shared and/or static), the CMake package
# (find_package(seedance 0.1 CONFIG) -> seedance::seedance) and the pkg-config file. The tools
# and the mock fixture add their own rules in cli/ and mock/. tests/consumer checks the result.
include(CMakePackageConfigHelpers)

set(SEEDANCE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/seedance"
  CACHE STRING "Where seedanceConfig.cmake is installed, relative to the prefix")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/seedance"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT seedance_development
  FILES_MATCHING PATTERN "*.hpp")

set(seedance_install_targets seedance)
if(TARGET seedance_static)
  list(APPEND seedance_install_targets seedance_static)
endif()
install(TARGETS ${seedance_install_targets}
  EXPORT seedance-targets
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT seedance_runtime
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT seedance_runtime
    NAMELINK_COMPONENT seedance_development
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT seedance_development)
install(EXPORT seedance-targets
  NAMESPACE seedance::
  FILE seedanceTargets.cmake
  DESTINATION "${SEEDANCE_INSTALL_CMAKEDIR}"
  COMPONENT seedance_development)

configure_package_config_file("${CMAKE_CURRENT_LIST_DIR}/seedanceConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/seedanceConfig.cmake"
  INSTALL_DESTINATION "${SEEDANCE_INSTALL_CMAKEDIR}")
# 0.x: a minor release may break the API, so 0.1 accepts 0.1.y only; from 1.0 on, SameMajorVersion.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(seedance_compatibility SameMinorVersion)
else()
  set(seedance_compatibility SameMajorVersion)
endif()
write_basic_package_version_file("${PROJECT_BINARY_DIR}/seedanceConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY ${seedance_compatibility})
install(FILES
    "${PROJECT_BINARY_DIR}/seedanceConfig.cmake"
    "${PROJECT_BINARY_DIR}/seedanceConfigVersion.cmake"
  DESTINATION "${SEEDANCE_INSTALL_CMAKEDIR}"
  COMPONENT seedance_development)

# pkg-config: relocatable (paths relative to the .pc file), so `cmake --install --prefix` and
# DESTDIR both give a working file.
file(RELATIVE_PATH SEEDANCE_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" SEEDANCE_PC_TO_PREFIX "${SEEDANCE_PC_TO_PREFIX}")
configure_file("${CMAKE_CURRENT_LIST_DIR}/seedance.pc.in" "${PROJECT_BINARY_DIR}/seedance.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/seedance.pc"
  DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
  COMPONENT seedance_development)

install(FILES "${PROJECT_SOURCE_DIR}/README.md" "${PROJECT_SOURCE_DIR}/CHANGELOG.md"
    "${PROJECT_SOURCE_DIR}/LICENSE"
  DESTINATION "${CMAKE_INSTALL_DOCDIR}"
  COMPONENT seedance_development)
