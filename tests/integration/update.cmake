# The update tests (update_*_test.cpp) need several builds of spindle with different versions.
# spindle_stamped is the same program linked with update_stamp.cpp, whose version (and fault)
# the tests write into copies of it: one extra link, not a build per version.
add_executable(spindle_stamped ${PROJECT_SOURCE_DIR}/src/cli/main.cpp
                               ${CMAKE_CURRENT_SOURCE_DIR}/update_stamp.cpp)
target_link_libraries(spindle_stamped PRIVATE spindle_cli ${CMAKE_DL_LIBS})
add_dependencies(spindle_integration_tests spindle_stamped)
target_compile_definitions(spindle_integration_tests PRIVATE
  SPINDLE_STAMPED_BINARY="$<TARGET_FILE:spindle_stamped>")
