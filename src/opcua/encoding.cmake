# The OPC UA binary encoding (Part 6), the service messages a client needs (Part 4) and the
# UA-TCP / secure conversation chunks. Pure code: no I/O, no clocks, no logging.
add_library(spindle_opcua_encoding STATIC
  binary.cpp types.cpp variant.cpp node_id_text.cpp status_codes.cpp
  services.cpp services_session.cpp services_view.cpp services_subscription.cpp
  chunks.cpp chunk_stream.cpp)
target_link_libraries(spindle_opcua_encoding PUBLIC spindle_base)
target_link_libraries(spindle_all INTERFACE spindle_opcua_encoding)
spindle_unit_tests(types_test.cpp node_id_text_test.cpp services_test.cpp chunks_test.cpp
                   opcua_fixtures_test.cpp)
