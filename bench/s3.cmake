# Upload speed (bench/s3_upload_bench.cpp): the uploader against the curl CLI, same 1 GiB file,
# same server, same run, to the S3 test peer (needs scripts/setup's s3rver) and to an S3 sink
# in the benchmark's process (bench/s3_sink.cpp).
find_package(OpenSSL REQUIRED)
find_package(pugixml REQUIRED GLOBAL)
add_executable(s3_upload_bench ${CMAKE_CURRENT_LIST_DIR}/s3_upload_bench.cpp
                               ${CMAKE_CURRENT_LIST_DIR}/s3_sink.cpp)
target_link_libraries(s3_upload_bench PRIVATE spindle_all OpenSSL::SSL pugixml::pugixml)
target_include_directories(s3_upload_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
target_compile_definitions(s3_upload_bench PRIVATE
  SPINDLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  SPINDLE_S3_PEER_DIR="${PROJECT_BINARY_DIR}/test-peers/s3")
