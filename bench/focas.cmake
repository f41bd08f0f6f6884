# FOCAS decode speed on the public dumps (bench/focas_decode_bench.cpp): codec only, no I/O.
add_executable(focas_decode_bench ${CMAKE_CURRENT_LIST_DIR}/focas_decode_bench.cpp)
target_link_libraries(focas_decode_bench PRIVATE spindle_focas_codec benchmark::benchmark)
target_compile_definitions(focas_decode_bench PRIVATE
  SPINDLE_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/../shared/fixtures")

# 100 FANUC controls polled at 10 Hz (bench/focas_poll_bench.cpp): the simulator runs in its own
# process (`spindle sim --protocol focas`), the collectors in the benchmark's.
if(TARGET spindle_collector_focas)
  add_executable(focas_poll_bench ${CMAKE_CURRENT_LIST_DIR}/focas_poll_bench.cpp)
  target_include_directories(focas_poll_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
  target_link_libraries(focas_poll_bench PRIVATE spindle_all benchmark::benchmark)
  target_compile_definitions(focas_poll_bench PRIVATE SPINDLE_BINARY="$<TARGET_FILE:spindle>"
                                                SPINDLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(focas_poll_bench spindle)
endif()
