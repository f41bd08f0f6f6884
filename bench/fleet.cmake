# The fleet benchmark's adapters (scripts/bench-fleet): thousands of SHDR machines in one process.
add_executable(fleet_feeder ${CMAKE_CURRENT_LIST_DIR}/fleet_feeder.cpp)
target_link_libraries(fleet_feeder PRIVATE spindle_base Boost::system fmt::fmt)
