# The management page's security core: password hashing (scrypt), login sessions and login
# throttling. Pure classes on OpenSSL 3, no I/O; the management server builds on them.
# Included from src/web/CMakeLists.txt, so test paths are relative to src/web.
find_package(OpenSSL REQUIRED COMPONENTS Crypto SSL)

add_library(spindle_web_management STATIC
  ${CMAKE_CURRENT_LIST_DIR}/password_hash.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sessions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/login_throttle.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tls_certificate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/metrics.cpp)
# tls_certificate.hpp hands out a boost::asio::ssl::context, so its users need Asio and OpenSSL.
target_link_libraries(spindle_web_management PUBLIC spindle_base Boost::system OpenSSL::SSL
                                             OpenSSL::Crypto)
target_link_libraries(spindle_all INTERFACE spindle_web_management)

spindle_unit_tests(management/password_hash_test.cpp management/sessions_test.cpp
                   management/login_throttle_test.cpp management/tls_certificate_test.cpp
                   management/metrics_test.cpp)

# assets: the page's HTML, CSS, JavaScript and images, compiled into the binary at build time
# (cmake/SpindleEmbed.cmake) and looked up with findAsset() (assets.hpp). The glob is redone at
# every build, so a new page file needs no edit here; only the served extensions are taken.
include(SpindleEmbed)
file(GLOB_RECURSE spindle_web_asset_files CONFIGURE_DEPENDS
     RELATIVE ${CMAKE_CURRENT_LIST_DIR}/assets
     ${CMAKE_CURRENT_LIST_DIR}/assets/*.html ${CMAKE_CURRENT_LIST_DIR}/assets/*.css
     ${CMAKE_CURRENT_LIST_DIR}/assets/*.js ${CMAKE_CURRENT_LIST_DIR}/assets/*.svg
     ${CMAKE_CURRENT_LIST_DIR}/assets/*.png ${CMAKE_CURRENT_LIST_DIR}/assets/*.ico)
list(SORT spindle_web_asset_files)
add_library(spindle_web_assets STATIC)
spindle_embed_assets(spindle_web_assets ${CMAKE_CURRENT_BINARY_DIR}/management_assets.cpp
                     ${CMAKE_CURRENT_LIST_DIR}/assets ${spindle_web_asset_files})
target_link_libraries(spindle_web_assets PUBLIC spindle_flags)
target_link_libraries(spindle_all INTERFACE spindle_web_assets)
spindle_unit_tests(management/assets_test.cpp)

# server: the management page's listener, its /api/v1, /metrics and live updates, over the
# EdgeApi (app/edge_api.hpp, an interface: no link to spindle_app, which links this).
add_library(spindle_management_server STATIC
  ${CMAKE_CURRENT_LIST_DIR}/management_options.cpp
  ${CMAKE_CURRENT_LIST_DIR}/accounts.cpp
  ${CMAKE_CURRENT_LIST_DIR}/live_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/management_server.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api_edge.cpp
  ${CMAKE_CURRENT_LIST_DIR}/api_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/live_events.cpp)
target_link_libraries(spindle_management_server PUBLIC spindle_web spindle_web_management
                      spindle_web_assets spindle_control spindle_config yaml-cpp)
target_link_libraries(spindle_all INTERFACE spindle_management_server)
spindle_unit_tests(management/accounts_test.cpp management/live_client_test.cpp)
