# The S3 test peer (tests/peers/s3/server.js, s3rver from npm; scripts/setup installs it into
# build/test-peers/s3) for the upload tests (s3_upload_test.cpp) and bench/s3_upload_bench.cpp.
target_compile_definitions(spindle_integration_tests PRIVATE
  SPINDLE_S3_PEER_DIR="${PROJECT_BINARY_DIR}/test-peers/s3")
