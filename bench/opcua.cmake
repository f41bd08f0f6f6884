# OPC UA decode speed (bench/opcua_decode_bench.cpp): the encoding library only, no I/O.
add_executable(opcua_decode_bench ${CMAKE_CURRENT_LIST_DIR}/opcua_decode_bench.cpp)
target_link_libraries(opcua_decode_bench PRIVATE spindle_opcua_encoding benchmark::benchmark)
