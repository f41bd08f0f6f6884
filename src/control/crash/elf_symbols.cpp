#include "control/crash/elf_symbols.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cxxabi.h>
#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace spindle::control::crash {
namespace {

/// The file mapped read-only for the duration of a load.
class Mapping {
 public:
  ~Mapping() {
    if (m_data != nullptr) ::munmap(m_data, m_size);
  }
  Status open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error(ErrorCode::kIo, std::strerror(errno)).with("opening " + path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
      ::close(fd);
      return Error(ErrorCode::kIo, "empty or unreadable").with("reading " + path);
    }
    m_size = static_cast<std::size_t>(st.st_size);
    void* data = ::mmap(nullptr, m_size, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (data == MAP_FAILED)
      return Error(ErrorCode::kIo, std::strerror(errno)).with("mapping " + path);
    m_data = data;
    return okStatus();
  }
  const unsigned char* bytes() const { return static_cast<const unsigned char*>(m_data); }
  std::size_t size() const { return m_size; }
  /// True when [offset, offset + length) lies inside the file.
  bool holds(std::uint64_t offset, std::uint64_t length) const {
    return offset <= m_size && length <= m_size - offset;
  }

 private:
  void* m_data = nullptr;
  std::size_t m_size = 0;
};

std::string noteBuildId(const unsigned char* p, const unsigned char* end) {
  while (p + sizeof(Elf64_Nhdr) <= end) {
    Elf64_Nhdr note;
    std::memcpy(&note, p, sizeof note);
    const unsigned char* name = p + sizeof note;
    const unsigned char* desc = name + ((note.n_namesz + 3) & ~3U);
    if (desc + note.n_descsz > end) break;
    if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
      return hexBytes(desc, note.n_descsz);
    }
    p = desc + ((note.n_descsz + 3) & ~3U);
  }
  return "";
}

}  // namespace

std::string hexBytes(const unsigned char* data, std::size_t size) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

std::string demangle(const std::string& name) {
  int status = 0;
  char* out = abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status);
  std::string result = status == 0 && out != nullptr ? out : name;
  std::free(out);
  return result;
}

Result<ElfSymbols> ElfSymbols::load(const std::string& path) {
  Mapping file;
  if (auto status = file.open(path); !status) return std::move(status).error();
  const auto fail = [&](const std::string& why) {
    return Error(ErrorCode::kInvalidArgument, why).with("reading the symbols of " + path);
  };
  if (!file.holds(0, sizeof(Elf64_Ehdr))) return fail("too short for an ELF header");
  Elf64_Ehdr header;
  std::memcpy(&header, file.bytes(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) return fail("not an ELF file");
  if (header.e_ident[EI_CLASS] != ELFCLASS64) return fail("not a 64-bit ELF file");
  if (header.e_shentsize != sizeof(Elf64_Shdr) ||
      !file.holds(header.e_shoff, std::uint64_t{header.e_shnum} * sizeof(Elf64_Shdr))) {
    return fail("bad section header table");
  }
  std::vector<Elf64_Shdr> sections(header.e_shnum);
  std::memcpy(sections.data(), file.bytes() + header.e_shoff, sections.size() * sizeof(Elf64_Shdr));

  ElfSymbols out;
  const Elf64_Shdr* table = nullptr;
  for (const auto& s : sections) {
    if (s.sh_type == SHT_NOTE && out.m_buildId.empty() && file.holds(s.sh_offset, s.sh_size)) {
      out.m_buildId =
          noteBuildId(file.bytes() + s.sh_offset, file.bytes() + s.sh_offset + s.sh_size);
    }
    if (s.sh_type == SHT_SYMTAB) table = &s;
  }
  if (table == nullptr) {
    for (const auto& s : sections) {
      if (s.sh_type == SHT_DYNSYM) table = &s;
    }
  }
  if (table == nullptr) return fail("no symbol table (.symtab or .dynsym)");
  if (table->sh_link >= sections.size() || table->sh_entsize != sizeof(Elf64_Sym) ||
      !file.holds(table->sh_offset, table->sh_size)) {
    return fail("bad symbol table");
  }
  const Elf64_Shdr& strings = sections[table->sh_link];
  if (!file.holds(strings.sh_offset, strings.sh_size)) return fail("bad string table");
  const char* names = reinterpret_cast<const char*>(file.bytes() + strings.sh_offset);

  const std::size_t count = table->sh_size / sizeof(Elf64_Sym);
  for (std::size_t i = 0; i < count; ++i) {
    Elf64_Sym sym;
    std::memcpy(&sym, file.bytes() + table->sh_offset + i * sizeof sym, sizeof sym);
    if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_value == 0 || sym.st_shndx == SHN_UNDEF ||
        sym.st_name >= strings.sh_size) {
      continue;
    }
    const char* name = names + sym.st_name;
    const std::size_t length = strnlen(name, strings.sh_size - sym.st_name);
    out.m_functions.push_back({sym.st_value, sym.st_size, std::string(name, length)});
  }
  std::sort(out.m_functions.begin(), out.m_functions.end(),
            [](const Function& a, const Function& b) {
              return a.start < b.start || (a.start == b.start && a.size < b.size);
            });
  return out;
}

std::optional<ElfSymbols::Symbol> ElfSymbols::find(std::uint64_t address) const {
  auto it = std::upper_bound(m_functions.begin(), m_functions.end(), address,
                             [](std::uint64_t a, const Function& f) { return a < f.start; });
  if (it == m_functions.begin()) return std::nullopt;
  --it;
  // Aliases share a start; the largest sorts last, so a size covering the address is found.
  if (address - it->start >= std::max<std::uint64_t>(it->size, 1)) return std::nullopt;
  return Symbol{demangle(it->name), it->start};
}

std::optional<std::string> ElfSymbols::describe(std::uint64_t address) const {
  auto symbol = find(address);
  if (!symbol) return std::nullopt;
  char text[32];
  std::snprintf(text, sizeof text, "+0x%llx",
                static_cast<unsigned long long>(address - symbol->start));
  return symbol->name + text;
}

}  // namespace spindle::control::crash
