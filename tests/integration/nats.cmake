# NATS integration tests (nats_*_test.cpp) and their helper program. They need the NATS
# uplink and control libraries; until those are part of the build, the tests are left out.
file(GLOB nats_integration_tests CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/nats_*_test.cpp)
if(NOT TARGET spindle_uplink_nats OR NOT TARGET spindle_control)
  set_source_files_properties(${nats_integration_tests} PROPERTIES HEADER_FILE_ONLY ON)
  return()
endif()

# A stand-in for an edge whose journal is a pure function of the sequence (so it survives
# kill -9 like the real one): used to kill the NATS or the HTTPS uplink mid-stream and restart it.
add_executable(uplink_feeder uplink_feeder.cpp)
target_link_libraries(uplink_feeder PRIVATE spindle_all)
add_dependencies(spindle_integration_tests uplink_feeder)
target_compile_definitions(spindle_integration_tests PRIVATE
  UPLINK_FEEDER_BINARY="$<TARGET_FILE:uplink_feeder>")

# The many-edges cluster test runs 20 edge processes and three nats-servers at once: alone,
# so the tests beside it (ctest -j2) neither slow it nor are slowed by it. Set after the
# tests are discovered (an include file ctest reads after gtest_discover_tests's).
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/nats_cluster_serial.cmake
     "set_tests_properties(NatsClusterTest.ManyEdgesEachJournalAndTheStreamAgree\n"
     "                     PROPERTIES RUN_SERIAL TRUE)\n")
set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES
             ${CMAKE_CURRENT_BINARY_DIR}/nats_cluster_serial.cmake)
