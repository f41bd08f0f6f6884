# HTTPS uplink speed to a loopback HTTPS server in the benchmark (bench/https_bench.cpp).
if(TARGET spindle_uplink_https)
  find_package(OpenSSL REQUIRED)
  add_executable(https_bench ${CMAKE_CURRENT_LIST_DIR}/https_bench.cpp)
  target_link_libraries(https_bench PRIVATE spindle_all benchmark::benchmark OpenSSL::SSL)
endif()
