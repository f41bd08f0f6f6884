#pragma once
/// Test support: polls a condition until it holds or the timeout passes.

#include <chrono>
#include <functional>
#include <thread>

namespace spindle::collectors::testing {

inline bool waitUntil(const std::function<bool()>& f,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return f();
}

}  // namespace spindle::collectors::testing
