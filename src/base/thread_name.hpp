#pragma once
/// Names the calling thread as `top -H`, `ps -L`, perf and gdb show it: "pipeline",
/// "io-1", "deliver/nats" (cut to the 15 bytes Linux keeps). Call first thing in a thread.

#include <string>

#include <pthread.h>

namespace spindle {

inline void nameThisThread(const std::string& name) {
  ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
}

}  // namespace spindle
