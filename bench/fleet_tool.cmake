# `spindle fleet ls` over 1,000 edges' heartbeats (bench/fleet_ls_bench.cpp starts its own
# nats-server on loopback; scripts/bench-fleet-ls runs it). The goal is <= 1 s.
if(TARGET spindle_fleet)
  add_executable(fleet_ls_bench ${CMAKE_CURRENT_LIST_DIR}/fleet_ls_bench.cpp)
  target_include_directories(fleet_ls_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
  target_link_libraries(fleet_ls_bench PRIVATE spindle_all benchmark::benchmark)
  target_compile_definitions(fleet_ls_bench PRIVATE SPINDLE_BINARY="$<TARGET_FILE:spindle>")
  add_dependencies(fleet_ls_bench spindle)
endif()
