# With BUILD_SHARED_LIBS=ON, `seedance` is libseedance.so; this adds `seedance_static`
# (seedance::seedance_static, file libseedance.a) built from the same sources, so that one install
# carries both kinds. Symbols keep the default visibility: the public API is all in namespace
# seedance, and the unit tests link seedance::detail helpers from the in-tree library.
get_target_property(seedance_library_type seedance TYPE)
if(NOT seedance_library_type STREQUAL "SHARED_LIBRARY" OR NOT SEEDANCE_BUILD_STATIC_WITH_SHARED)
  return()
endif()

get_target_property(seedance_sources seedance SOURCES)
add_library(seedance_static STATIC ${seedance_sources})
add_library(seedance::seedance_static ALIAS seedance_static)
target_include_directories(seedance_static
  PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE
    ${CMAKE_CURRENT_SOURCE_DIR}/src)
target_link_libraries(seedance_static
  PRIVATE CURL::libcurl OpenSSL::Crypto $<BUILD_INTERFACE:nlohmann_json::nlohmann_json>
    Threads::Threads)
target_compile_features(seedance_static PUBLIC cxx_std_17)
target_compile_definitions(seedance_static PRIVATE SEEDANCE_VERSION_STRING="${PROJECT_VERSION}")
set_target_properties(seedance_static PROPERTIES
  OUTPUT_NAME seedance
  EXPORT_NAME seedance_static
  POSITION_INDEPENDENT_CODE ON)
seedance_set_warnings(seedance_static)
