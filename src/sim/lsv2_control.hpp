#pragma once
/// Lsv2Control: a simulated Heidenhain control as a pure LSV2 state machine, following the
/// shared MachineModel (mode, execution, program, line, overrides, positions, tool, alarms).
/// It answers telegrams as a control of the configured identity does (docs/collectors/lsv2.md,
/// "Simulator"): login levels (DNC only with the DNC option), R_VR (the TNC 426 only without a
/// parameter), R_PR and the C_CC buffer sizes its max block length allows, R_RI 22-26 (DNC),
/// 27/28 and 51 (iTNC 530 only), R_MB (PLCDEBUG), R_DP (iTNC 530, DATA) and R_FL as a
/// multi-block transfer acknowledged with T_OK. A telegram larger than the agreed buffer is
/// refused and counted. No I/O, no clocks: time arrives as the step size.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "collectors/lsv2/lsv2_codec.hpp"
#include "collectors/lsv2/lsv2_replies.hpp"
#include "sim/machine_model.hpp"

namespace spindle::sim {

enum class Lsv2Identity { kItnc530, kTnc640, kTnc320, kTnc7, kTnc426, kCncPilot640 };

/// "itnc530", "tnc640", "tnc320", "tnc7", "tnc426", "cncpilot640"; the parser accepts the same.
std::string_view lsv2IdentityName(Lsv2Identity identity);
Result<Lsv2Identity> parseLsv2Identity(std::string_view text);

class Lsv2Control {
 public:
  /// One client connection's state: its logins, its buffer, a block transfer in progress.
  struct Session {
    std::set<std::string> logins;
    std::size_t buffer = collectors::lsv2::kDefaultBuffer;
    std::deque<collectors::lsv2::Telegram> blocks;  ///< S_FL blocks still to send
    std::size_t nextError = 0;                      ///< R_RI 28's cursor
    std::uint64_t oversized = 0;                    ///< telegrams larger than the buffer
  };

  Lsv2Control(MachineProfile profile, Lsv2Identity identity, bool dncOption = true);

  void step(std::chrono::milliseconds dt);

  /// The answer to one telegram (one telegram; never throws).
  collectors::lsv2::Telegram answer(Session& session, const collectors::lsv2::Telegram& request);

  Lsv2Identity identity() const { return m_identity; }
  const collectors::lsv2::Versions& versions() const { return m_versions; }
  const collectors::lsv2::SystemParameters& parameters() const { return m_parameters; }

  /// Test knobs: the DNC option, every login refused (external access off), an NC error shown
  /// until cleared, a file R_FL reads.
  void setDncOption(bool on) { m_dncOption = on; }
  void setRefuseLogins(bool on) { m_refuseLogins = on; }
  void raiseError(std::int32_t number, std::string text);
  void clearErrors() { m_injected.clear(); }
  void setFile(std::string path, std::string content) {
    m_files[std::move(path)] = std::move(content);
  }

 private:
  collectors::lsv2::Telegram login(Session& s, const collectors::lsv2::Telegram& t);
  collectors::lsv2::Telegram versionReply(const collectors::lsv2::Telegram& t) const;
  collectors::lsv2::Telegram runInfo(Session& s, std::uint16_t info) const;
  collectors::lsv2::Telegram memory(const collectors::lsv2::Telegram& t) const;
  collectors::lsv2::Telegram dataPath(const collectors::lsv2::Telegram& t) const;
  collectors::lsv2::Telegram file(Session& s, const collectors::lsv2::Telegram& t);
  std::vector<collectors::lsv2::NcError> errors() const;
  /// The PLC image byte at `address` (0 where nothing is mapped).
  std::uint8_t plcByte(std::uint32_t address) const;
  std::int64_t plcWordArea(std::uint32_t offset, std::size_t size) const;
  const std::string& value(std::string_view key) const;
  double number(std::string_view key) const;

  Lsv2Identity m_identity;
  bool m_dncOption;
  bool m_refuseLogins = false;
  MachineModel m_model;
  std::map<std::string, std::string, std::less<>> m_values;
  collectors::lsv2::Versions m_versions;
  collectors::lsv2::SystemParameters m_parameters;
  std::vector<collectors::lsv2::NcError> m_injected;
  std::map<std::string, std::string> m_files;
};

}  // namespace spindle::sim
