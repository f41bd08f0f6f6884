# LSV2 decode speed (bench/lsv2_decode_bench.cpp): codec only, no I/O.
add_executable(lsv2_decode_bench ${CMAKE_CURRENT_LIST_DIR}/lsv2_decode_bench.cpp)
target_link_libraries(lsv2_decode_bench PRIVATE spindle_lsv2_codec benchmark::benchmark)
target_compile_definitions(lsv2_decode_bench PRIVATE
  SPINDLE_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/../shared/fixtures")

# 100 Heidenhain controls polled every 250 ms (bench/lsv2_poll_bench.cpp): the simulator runs in
# its own process (`spindle sim --protocol lsv2`), the collectors in the benchmark's.
if(TARGET spindle_collector_lsv2)
  add_executable(lsv2_poll_bench ${CMAKE_CURRENT_LIST_DIR}/lsv2_poll_bench.cpp)
  target_include_directories(lsv2_poll_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
  target_link_libraries(lsv2_poll_bench PRIVATE spindle_all benchmark::benchmark)
  target_compile_definitions(lsv2_poll_bench PRIVATE SPINDLE_BINARY="$<TARGET_FILE:spindle>"
                                                SPINDLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(lsv2_poll_bench spindle)
endif()
