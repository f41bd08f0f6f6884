# netcheck integration tests: a stub peer for what no Debian package serves by itself (a TCP
# server that resets after ClientHello, a UDP black hole, an HTTPS stand-in with chosen
# headers). The real peers (dnsmasq, chrony, openssl s_server, nats-server, tinyproxy) come from
# Debian.
find_package(OpenSSL REQUIRED)
add_executable(netcheck_stub_peer ${CMAKE_CURRENT_LIST_DIR}/netcheck_stub_peer.cpp)
target_link_libraries(netcheck_stub_peer PRIVATE OpenSSL::SSL OpenSSL::Crypto)
add_dependencies(spindle_integration_tests netcheck_stub_peer)
target_compile_definitions(spindle_integration_tests PRIVATE
  NETCHECK_STUB_PEER="$<TARGET_FILE:netcheck_stub_peer>")
