# NATS uplink speed into a hub JetStream file stream on loopback (bench/nats_bench.cpp starts
# its own nats-server). Left out until the NATS uplink is part of the build.
if(TARGET spindle_uplink_nats)
  add_executable(nats_bench ${CMAKE_CURRENT_LIST_DIR}/nats_bench.cpp)
  target_include_directories(nats_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
  target_link_libraries(nats_bench PRIVATE spindle_all benchmark::benchmark)
endif()
