# Pipeline benchmarks: a healthy machine's latency beside flooding ones (fair share).
add_executable(pipeline_fair_bench ${CMAKE_CURRENT_LIST_DIR}/pipeline_fair_bench.cpp)
target_link_libraries(pipeline_fair_bench PRIVATE spindle_all benchmark::benchmark)
