# OPC UA chunk security (bench/opcua_security_bench.cpp): protect + unprotect of an 8 KB chunk
# per SecurityPolicy and mode; crypto only, no I/O.
add_executable(opcua_security_bench ${CMAKE_CURRENT_LIST_DIR}/opcua_security_bench.cpp)
target_link_libraries(opcua_security_bench PRIVATE spindle_opcua_security benchmark::benchmark)
