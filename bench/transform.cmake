# Adapter script speed: evaluations of a typical 20-variable script, compile time of a
# 200-line script (bench/transform_bench.cpp).
add_executable(transform_bench ${CMAKE_CURRENT_SOURCE_DIR}/transform_bench.cpp)
target_link_libraries(transform_bench PRIVATE spindle_all benchmark::benchmark)
