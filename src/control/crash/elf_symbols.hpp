#pragma once
/// addr2line without addr2line: the function symbols of an ELF executable, read from its
/// .symtab (or .dynsym when stripped) with elf.h structures, to turn an address relative to
/// the load base into `function+0x1c`. Line numbers would need DWARF; reports carry none.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.hpp"

namespace spindle::control::crash {

class ElfSymbols {
 public:
  /// Reads `path` (64-bit ELF of this machine's byte order). Fails when it is not one or has
  /// no symbol table; the file is not kept open.
  static Result<ElfSymbols> load(const std::string& path);

  /// The GNU build id (hex) from the file's NT_GNU_BUILD_ID note; "" when it has none.
  const std::string& buildId() const { return m_buildId; }

  /// The function holding `address` (relative to the load base, as for describe()).
  struct Symbol {
    std::string name;  ///< demangled
    std::uint64_t start = 0;
  };
  std::optional<Symbol> find(std::uint64_t address) const;

  /// `demangled_name+0xoffset` for an address relative to the load base (what st_value holds
  /// for a PIE; the absolute address for a non-PIE build), or nullopt outside every function.
  std::optional<std::string> describe(std::uint64_t address) const;

  std::size_t size() const { return m_functions.size(); }

 private:
  struct Function {
    std::uint64_t start = 0;
    std::uint64_t size = 0;
    std::string name;  ///< mangled, demangled on lookup
  };
  std::vector<Function> m_functions;  ///< sorted by start
  std::string m_buildId;
};

/// abi::__cxa_demangle, or the name unchanged when it is not a mangled C++ name.
std::string demangle(const std::string& name);

/// `size` bytes as lower-case hex digits (a build id).
std::string hexBytes(const unsigned char* data, std::size_t size);

}  // namespace spindle::control::crash
