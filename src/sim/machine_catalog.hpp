#pragma once
/// What the simulated machines run and what can go wrong with them: part programs, alarms and
/// the override settings operators pick. Plain data for MachineModel; internal to src/sim.

#include <array>
#include <string_view>

namespace spindle::sim {

/// A part program: how many blocks it has and the tools it loads, evenly spread over it.
struct Program {
  std::string_view name;
  int blocks;
  int toolCount;
  std::array<int, 4> tools;
};

constexpr std::array<Program, 5> kPrograms = {{
    {"O1001.NC", 24, 3, {1, 4, 7, 0}},
    {"O1002.NC", 30, 2, {2, 5, 0, 0}},
    {"O2040.NC", 20, 4, {3, 6, 9, 12}},
    {"O3100.NC", 36, 2, {1, 8, 0, 0}},
    {"O4711.NC", 28, 2, {10, 11, 0, 0}},
}};

struct Alarm {
  std::string_view level;
  std::string_view code;
  std::string_view severity;
  std::string_view qualifier;
  std::string_view text;
};

constexpr int kToolLifeAlarm = 4;
constexpr std::array<Alarm, 6> kAlarms = {{
    {"FAULT", "E1002", "2", "HIGH", "Spindle overload"},
    {"WARNING", "W2010", "1", "", "Coolant level low"},
    {"FAULT", "E3001", "2", "", "Servo axis X following error"},
    {"WARNING", "W1105", "1", "LOW", "Lubrication pressure low"},
    {"WARNING", "W4002", "1", "", "Tool life nearly expired"},
    {"FAULT", "E2205", "3", "", "Door interlock open"},
}};

constexpr std::array<int, 8> kFeedOverrides = {70, 80, 90, 100, 100, 100, 110, 120};
constexpr std::array<int, 5> kSpindleOverrides = {90, 100, 100, 100, 110};

}  // namespace spindle::sim
