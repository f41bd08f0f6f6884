# 100 Modbus TCP devices polled at 10 Hz (bench/modbus_bench.cpp): the simulator runs in its own
# process (`spindle sim --protocol modbus`), the collectors in the benchmark's.
if(TARGET spindle_collector_modbus_tcp)
  add_executable(modbus_bench ${CMAKE_CURRENT_LIST_DIR}/modbus_bench.cpp)
  target_include_directories(modbus_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
  target_link_libraries(modbus_bench PRIVATE spindle_all benchmark::benchmark)
  target_compile_definitions(modbus_bench PRIVATE SPINDLE_BINARY="$<TARGET_FILE:spindle>"
                                                SPINDLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(modbus_bench spindle)
endif()
