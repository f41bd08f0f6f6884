# End to end: journal (fsync 50ms) -> delivery engine -> file uplink (bench/delivery_bench.cpp).
add_executable(delivery_bench ${CMAKE_CURRENT_LIST_DIR}/delivery_bench.cpp)
target_link_libraries(delivery_bench PRIVATE spindle_all benchmark::benchmark)
