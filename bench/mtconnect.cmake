# MTConnect both ways: the collector's document decoding and the interface's /sample serving.
add_executable(mtconnect_bench ${CMAKE_CURRENT_LIST_DIR}/mtconnect_bench.cpp)
target_link_libraries(mtconnect_bench PRIVATE spindle_all spindle_collectors benchmark::benchmark)
