# Upload speed to the S3 test peer (bench/s3_upload_bench.cpp): the uploader against the curl
# CLI, same 1 GiB file, same server, same run. Needs scripts/setup's S3 test peer.
add_executable(s3_upload_bench ${CMAKE_CURRENT_LIST_DIR}/s3_upload_bench.cpp)
target_link_libraries(s3_upload_bench PRIVATE spindle_all)
target_include_directories(s3_upload_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests/integration)
target_compile_definitions(s3_upload_bench PRIVATE
  SPINDLE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
  SPINDLE_S3_PEER_DIR="${PROJECT_BINARY_DIR}/test-peers/s3")
