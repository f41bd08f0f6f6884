#pragma once
/// Test support: shdr options for a stand-in adapter on 127.0.0.1, with short reconnect delays.

#include <chrono>

#include "collectors/shdr/shdr_options.hpp"
#include "collectors/testing/line_server.hpp"

namespace spindle::collectors::testing {

inline shdr::ShdrOptions optionsFor(const LineServer& server) {
  using namespace std::chrono_literals;
  shdr::ShdrOptions o;
  o.host = "127.0.0.1";
  o.port.value = server.port();
  o.reconnectMin = 20ms;
  o.reconnectMax = 100ms;
  o.connectTimeout = 1s;
  return o;
}

}  // namespace spindle::collectors::testing
