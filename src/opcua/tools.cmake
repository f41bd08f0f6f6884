# What people and the management page use to look at a server: the endpoint URL parser and
# the address-space walk of `spindle opcua browse` (tree_browse), on the client session.
add_library(spindle_opcua_tools STATIC ${CMAKE_CURRENT_LIST_DIR}/endpoint_url.cpp
                                       ${CMAKE_CURRENT_LIST_DIR}/tree_browse.cpp)
target_link_libraries(spindle_opcua_tools PUBLIC spindle_opcua_client PRIVATE fmt::fmt)
target_link_libraries(spindle_all INTERFACE spindle_opcua_tools)
spindle_unit_tests(endpoint_url_test.cpp)
