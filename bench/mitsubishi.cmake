# Mitsubishi EZSocket decode speed (bench/mitsubishi_decode_bench.cpp): codec only, no I/O.
add_executable(mitsubishi_decode_bench ${CMAKE_CURRENT_LIST_DIR}/mitsubishi_decode_bench.cpp)
target_link_libraries(mitsubishi_decode_bench PRIVATE spindle_mitsubishi_codec benchmark::benchmark)

# 100 Mitsubishi NCs polled every 250 ms (bench/mitsubishi_poll_bench.cpp): the simulator runs in
# its own process (`spindle sim --protocol mitsubishi`), the collectors in the benchmark's.
if(TARGET spindle_collector_mitsubishi)
  add_executable(mitsubishi_poll_bench ${CMAKE_CURRENT_LIST_DIR}/mitsubishi_poll_bench.cpp)
  target_include_directories(mitsubishi_poll_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
  target_link_libraries(mitsubishi_poll_bench PRIVATE spindle_all benchmark::benchmark)
  target_compile_definitions(mitsubishi_poll_bench PRIVATE SPINDLE_BINARY="$<TARGET_FILE:spindle>"
                                                     SPINDLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(mitsubishi_poll_bench spindle)
endif()
