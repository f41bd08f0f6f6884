// `spindle store sign-index`: the publisher's side of the adapter store (docs/cloud-protocol.md
// "Adapter store (HTTPS)"). Reads a folder laid out as the store is (<name>/<version>.yaml),
// checks that every script compiles, and writes the signed index.json beside them; the folder
// is then copied to the bucket as it is. Neither reads a configuration nor talks to anything.
// Keys come from `spindle update keygen`.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "base/time.hpp"
#include "cli/command.hpp"
#include "transform/script_loader.hpp"
#include "transform/store/store_index.hpp"

namespace spindle::cli {

namespace {

namespace fs = std::filesystem;
namespace store = transform::store;

struct StoreArgs {
  std::string dir;
  std::vector<std::string> keys;
  std::string out;
  std::string published;
};

// One script file: its index entry, or a message saying why it cannot be published.
Result<store::IndexEntry> entryFor(const fs::path& dir, const fs::path& file) {
  const std::string relative = fs::relative(file, dir).generic_string();
  std::error_code ec;
  if (fs::file_size(file, ec) > store::kMaxScriptBytes) {
    return Error(ErrorCode::kInvalidArgument, relative + " is larger than 1 MiB");
  }
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const std::string bytes = text.str();
  auto compiled = transform::compileScriptDiagnostics(bytes, relative);
  if (!compiled.script) {
    return Error(ErrorCode::kInvalidArgument, compiled.diagnostics.describe());
  }
  update::Sha256 h;
  h.update(bytes.data(), bytes.size());
  return store::IndexEntry{relative, h.hex(), bytes.size()};
}

// Every <name>/<version>.yaml of `dir`; other files are named and refused, so nothing the
// publisher meant to ship is silently left out.
Result<store::StoreIndex> scan(const fs::path& dir) {
  store::StoreIndex index;
  std::error_code ec;
  for (const auto& folder : fs::directory_iterator(dir, ec)) {
    const std::string name = folder.path().filename().string();
    if (!folder.is_directory()) {
      if (name == "index.json") continue;
      return Error(ErrorCode::kInvalidArgument, name + ": only folders <name>/ belong here");
    }
    if (!store::validScriptName(name)) {
      return Error(ErrorCode::kInvalidArgument,
                   name + "/: a script name is 1-64 letters, digits, '-', '_' or '.'");
    }
    for (const auto& file : fs::directory_iterator(folder.path(), ec)) {
      const auto version = store::StoreVersion::parse(file.path().stem().string());
      if (!file.is_regular_file() || file.path().extension() != ".yaml" || !version) {
        return Error(ErrorCode::kInvalidArgument,
                     name + "/" + file.path().filename().string() +
                         ": only <version>.yaml files belong here (1.yaml, 3.1.yaml)");
      }
      auto entry = entryFor(dir, file.path());
      if (!entry) return std::move(entry).error();
      index.scripts[name][version.value()] = std::move(*entry);
    }
  }
  if (ec) return Error(ErrorCode::kIo, "cannot read " + dir.string() + ": " + ec.message());
  if (index.scripts.empty()) {
    return Error(ErrorCode::kInvalidArgument,
                 "no scripts (<name>/<version>.yaml) in " + dir.string());
  }
  return index;
}

int signIndex(const StoreArgs& args) {
  auto index = scan(args.dir);
  if (!index) {
    std::cerr << "spindle store sign-index: " << index.error().describe() << "\n";
    return kExitUsage;
  }
  index->published = args.published.empty() ? formatTimestamp(wallClockNs()) : args.published;
  store::SignedIndex envelope{store::indexJson(*index), {}};
  if (auto check = store::parseIndex(envelope.index); !check) {  // never write what edges refuse
    std::cerr << "spindle store sign-index: " << check.error().describe() << "\n";
    return kExitUsage;
  }
  std::string ids;
  for (const auto& path : args.keys) {
    auto key = update::PrivateKey::load(path);
    auto sig = key ? key->sign(envelope.index) : Result<std::string>(key.error());
    if (!sig) {
      std::cerr << "spindle store sign-index: " << sig.error().describe() << "\n";
      return kExitFailure;
    }
    envelope.signatures.push_back({key->publicKey().id, std::move(*sig)});
    ids += (ids.empty() ? "" : ", ") + key->publicKey().id;
  }
  const std::string out =
      args.out.empty() ? (fs::path(args.dir) / "index.json").string() : args.out;
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file << store::signedIndexJson(envelope);
  file.close();
  if (!file) {
    std::cerr << "spindle store sign-index: cannot write " << out << "\n";
    return kExitFailure;
  }
  std::size_t versions = 0;
  for (const auto& [name, v] : index->scripts) versions += v.size();
  std::cout << out << ": " << index->scripts.size() << " scripts, " << versions
            << " versions, published " << index->published << ", signed by key " << ids << "\n";
  return kExitOk;
}

}  // namespace

Command addStoreCommand(CLI::App& app) {
  auto args = std::make_shared<StoreArgs>();
  auto* cmd = app.add_subcommand("store", "the adapter store: sign-index for publishers");
  cmd->require_subcommand(1);
  auto* sign = cmd->add_subcommand(
      "sign-index", "write the signed index.json of a store folder (<name>/<version>.yaml)");
  sign->add_option("--dir", args->dir, "the store folder, as it is copied to the bucket")
      ->required()
      ->check(CLI::ExistingDirectory);
  sign->add_option("--key", args->keys,
                   "private key(s) to sign with (PEM, from spindle update keygen); several for "
                   "rotation")
      ->required();
  sign->add_option("--out", args->out, "write the index here instead of <dir>/index.json");
  sign->add_option("--published", args->published,
                   "the index's publication time (default: now, UTC); edges refuse an index "
                   "older than the one they hold");
  return {cmd, [args](const CommandContext&) { return signIndex(*args); }};
}

}  // namespace spindle::cli
