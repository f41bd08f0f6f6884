# The secure channel's security policies (Basic256Sha256, Aes128_Sha256_RsaOaep,
# Aes256_Sha256_RsaPss), the client's application instance certificate and the server
# certificate trust list, on OpenSSL 3's EVP APIs.
find_package(OpenSSL REQUIRED COMPONENTS Crypto)

add_library(spindle_opcua_security STATIC
  ${CMAKE_CURRENT_LIST_DIR}/security_policy.cpp
  ${CMAKE_CURRENT_LIST_DIR}/crypto.cpp
  ${CMAKE_CURRENT_LIST_DIR}/channel_security.cpp
  ${CMAKE_CURRENT_LIST_DIR}/identity.cpp
  ${CMAKE_CURRENT_LIST_DIR}/certificates.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trust_list.cpp)
target_link_libraries(spindle_opcua_security PUBLIC spindle_base PRIVATE OpenSSL::Crypto)
target_link_libraries(spindle_all INTERFACE spindle_opcua_security)

spindle_unit_tests(
  crypto_test.cpp
  channel_security_test.cpp
  identity_test.cpp
  certificates_test.cpp
  trust_list_test.cpp)
