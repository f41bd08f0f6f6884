# FOCAS decode speed on the public dumps (bench/focas_decode_bench.cpp): codec only, no I/O.
add_executable(focas_decode_bench ${CMAKE_CURRENT_LIST_DIR}/focas_decode_bench.cpp)
target_link_libraries(focas_decode_bench PRIVATE spindle_focas_codec benchmark::benchmark)
target_compile_definitions(focas_decode_bench PRIVATE
  SPINDLE_FIXTURES_DIR="${PROJECT_SOURCE_DIR}/../shared/fixtures")
