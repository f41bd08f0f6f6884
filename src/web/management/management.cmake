# The management page's security core: password hashing (scrypt), login sessions and login
# throttling. Pure classes on OpenSSL 3, no I/O; the management server builds on them.
# Included from src/web/CMakeLists.txt, so test paths are relative to src/web.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

add_library(spindle_web_management STATIC
  ${CMAKE_CURRENT_LIST_DIR}/password_hash.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sessions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/login_throttle.cpp)
target_link_libraries(spindle_web_management PUBLIC spindle_base PRIVATE OpenSSL::Crypto)
target_link_libraries(spindle_all INTERFACE spindle_web_management)

spindle_unit_tests(management/password_hash_test.cpp management/sessions_test.cpp
                   management/login_throttle_test.cpp)
