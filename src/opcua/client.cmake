# The OPC UA client's I/O on Boost.Asio: the secure channel over a TCP socket the caller connected
# (secure_channel), and the session and its services on top (client_session). No resolver, no
# logging: the opcua collector connects, and logs the reasons these return.

add_library(spindle_opcua_client STATIC
  ${CMAKE_CURRENT_LIST_DIR}/secure_channel.cpp
  ${CMAKE_CURRENT_LIST_DIR}/endpoint_selection.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client_session.cpp
  ${CMAKE_CURRENT_LIST_DIR}/client_services.cpp)
target_link_libraries(spindle_opcua_client
  PUBLIC spindle_opcua_encoding spindle_opcua_security Boost::system)
target_link_libraries(spindle_all INTERFACE spindle_opcua_client)

spindle_unit_tests(endpoint_selection_test.cpp secure_channel_test.cpp)
