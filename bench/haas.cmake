# Haas: 50 controls polled every second, the collectors' CPU.
add_executable(haas_poll_bench ${CMAKE_CURRENT_LIST_DIR}/haas_poll_bench.cpp)
target_link_libraries(haas_poll_bench PRIVATE spindle_collectors spindle_sim benchmark::benchmark)
