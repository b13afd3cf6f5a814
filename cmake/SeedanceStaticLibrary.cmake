# With BUILD_SHARED_LIBS=ON, `seedance` is libseedance.so; this adds `seedance_static`
# (seedance::seedance_static, file libseedance.a) archived from the shared library's own object
# files (position-independent either way), so that one install carries both kinds and each source
# is compiled once. Symbols keep the default visibility: the public API is all in namespace
# seedance, and the unit tests link seedance::detail helpers from the in-tree library.
get_target_property(seedance_library_type seedance TYPE)
if(NOT seedance_library_type STREQUAL "SHARED_LIBRARY" OR NOT SEEDANCE_BUILD_STATIC_WITH_SHARED)
  return()
endif()

add_library(seedance_static STATIC $<TARGET_OBJECTS:seedance>)
add_library(seedance::seedance_static ALIAS seedance_static)
target_include_directories(seedance_static
  PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(seedance_static
  PRIVATE CURL::libcurl OpenSSL::Crypto $<BUILD_INTERFACE:nlohmann_json::nlohmann_json>
    Threads::Threads $<$<BOOL:${WIN32}>:ws2_32>)
target_compile_features(seedance_static PUBLIC cxx_std_17)
set_target_properties(seedance_static PROPERTIES
  OUTPUT_NAME seedance
  EXPORT_NAME seedance_static)
