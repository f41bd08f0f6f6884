// `spindle update keygen` and `spindle update sign`: the cloud team's side of updates
// (docs/updates.md). Neither reads a configuration nor talks to anything.

#include <filesystem>
#include <fstream>
#include <iostream>

#include <sys/stat.h>

#include "cli/cmd_update.hpp"
#include "update/manifest.hpp"
#include "update/signing.hpp"

namespace spindle::cli {

namespace {

bool writeFile(const std::string& path, const std::string& text, mode_t mode) {
  std::filesystem::remove(path);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  return out && ::chmod(path.c_str(), mode) == 0;
}

}  // namespace

void addKeygenCommand(CLI::App& update, UpdateArgs& args) {
  auto* cmd = update.add_subcommand("keygen", "make an Ed25519 key pair for signing updates");
  cmd->add_option("--out", args.out, "folder to write <name>.pem (private, 0600) and <name>.pub")
      ->required();
  cmd->add_option("--name", args.name, "file name of the pair")->capture_default_str();
}

int runKeygen(const UpdateArgs& args) {
  std::error_code ec;
  std::filesystem::create_directories(args.out, ec);
  const std::string privatePath = args.out + "/" + args.name + ".pem";
  const std::string publicPath = args.out + "/" + args.name + ".pub";
  if (std::filesystem::exists(privatePath)) {
    std::cerr << "spindle update keygen: " << privatePath << " exists; not overwritten\n";
    return kExitFailure;
  }
  const auto pair = update::generateKeyPair();
  if (!writeFile(privatePath, pair.privatePem, 0600) ||
      !writeFile(publicPath, pair.publicPem, 0644)) {
    std::cerr << "spindle update keygen: cannot write to " << args.out << "\n";
    return kExitFailure;
  }
  std::cout << "private key " << privatePath << " (keep it off the edges)\n"
            << "public key  " << publicPath << "\n"
            << "key id      " << pair.publicKey.id << "\n"
            << "for update.trusted_keys: " << update::base64Encode(pair.publicKey.raw) << "\n";
  return kExitOk;
}

void addSignCommand(CLI::App& update, UpdateArgs& args) {
  auto* cmd = update.add_subcommand("sign", "write the signed envelope of a release");
  cmd->add_option("--key", args.keys, "private key(s) to sign with (PEM); several for rotation")
      ->required();
  cmd->add_option("--artifact", args.artifact, "the release's spindle binary")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--version", args.version, "its version (what its --version prints)")->required();
  cmd->add_option("--url", args.url, "https:// URL the edges download it from")->required();
  cmd->add_option("--min-version", args.minVersion, "oldest version it may update");
  cmd->add_option("--notes", args.notes, "release notes");
  cmd->add_option("--channel", args.channel, "the channel it is released on")
      ->capture_default_str();
  cmd->add_flag("--rollback", args.rollback, "may replace a newer version (a signed downgrade)");
  cmd->add_option("--out", args.out, "write the envelope here instead of stdout");
}

int runSign(const UpdateArgs& args) {
  update::Manifest m;
  auto version = update::Version::parse(args.version);
  auto minVersion = update::Version::parse(args.minVersion.empty() ? "0.0.0" : args.minVersion);
  if (!version || !minVersion) {
    std::cerr << "spindle update sign: "
              << (version ? minVersion.error() : version.error()).message() << "\n";
    return kExitUsage;
  }
  m.version = *version;
  m.minVersion = *minVersion;
  m.url = args.url;
  m.notes = args.notes;
  m.channel = args.channel;
  m.rollback = args.rollback;
  m.size = std::filesystem::file_size(args.artifact);
  auto digest = update::sha256File(args.artifact);
  if (!digest) {
    std::cerr << "spindle update sign: " << digest.error().describe() << "\n";
    return kExitFailure;
  }
  m.sha256 = *digest;
  update::Envelope envelope;
  envelope.manifest = update::manifestJson(m);
  // What is signed must also parse: the edge refuses what this tool should never write.
  if (auto check = update::parseManifest(envelope.manifest); !check) {
    std::cerr << "spindle update sign: " << check.error().describe() << "\n";
    return kExitUsage;
  }
  for (const auto& path : args.keys) {
    auto key = update::PrivateKey::load(path);
    if (!key) {
      std::cerr << "spindle update sign: " << key.error().describe() << "\n";
      return kExitFailure;
    }
    auto sig = key->sign(envelope.manifest);
    if (!sig) {
      std::cerr << "spindle update sign: " << sig.error().describe() << "\n";
      return kExitFailure;
    }
    envelope.signatures.push_back({key->publicKey().id, std::move(*sig)});
  }
  const std::string text = update::envelopeJson(envelope);
  if (args.out.empty()) {
    std::cout << text;
  } else if (!writeFile(args.out, text, 0644)) {
    std::cerr << "spindle update sign: cannot write " << args.out << "\n";
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace spindle::cli
