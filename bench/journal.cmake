# Journal benchmarks; scripts/bench-journal runs them beside a dd measurement of the disk.
add_executable(journal_bench ${CMAKE_CURRENT_LIST_DIR}/journal_bench.cpp)
target_link_libraries(journal_bench PRIVATE spindle_all benchmark::benchmark)
