# spindle_unit_tests(<files>...): adds *_test.cpp files that sit beside the code to the single
# unit-test executable (tests/CMakeLists.txt builds it from this list).
set_property(GLOBAL PROPERTY SPINDLE_UNIT_TEST_SOURCES "")
function(spindle_unit_tests)
  foreach(file IN LISTS ARGN)
    set_property(GLOBAL APPEND PROPERTY SPINDLE_UNIT_TEST_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/${file})
  endforeach()
endfunction()
