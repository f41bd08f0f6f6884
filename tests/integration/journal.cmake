# The journal's crash test drives a helper process it can kill -9 at any moment.
add_executable(journal_crash_writer ${CMAKE_CURRENT_LIST_DIR}/journal_crash_writer.cpp)
target_link_libraries(journal_crash_writer PRIVATE spindle_all)
set_target_properties(journal_crash_writer PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
add_dependencies(spindle_integration_tests journal_crash_writer)
target_compile_definitions(spindle_integration_tests PRIVATE
  SPINDLE_JOURNAL_CRASH_WRITER="$<TARGET_FILE:journal_crash_writer>")
