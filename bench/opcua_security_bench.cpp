// OPC UA chunk security: one protect + unprotect of a full 8 KB chunk (the usual negotiated
// chunk size) per SecurityPolicy and mode. MSG chunks use the symmetric keys (HMAC-SHA256,
// AES-CBC); OPN chunks the RSA keys (2048-bit client and server), as at channel open and renew.

#include <memory>

#include <benchmark/benchmark.h>

#include "opcua/channel_security.hpp"

namespace {

using namespace spindle::opcua;

constexpr std::size_t kChunkSize = 8192;

// A chunk as the chunk layer hands it over, filled to the most `security` allows.
Bytes fullChunk(const ChunkSecurity& security, std::size_t headerEnd) {
  Bytes chunk(headerEnd + security.maxPlaintext(kChunkSize, headerEnd));
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<std::uint8_t>(i * 13);
  return chunk;
}

void runRoundTrips(benchmark::State& state, ChunkSecurity& sender, ChunkSecurity& receiver,
                   std::size_t headerEnd) {
  const Bytes plain = fullChunk(sender, headerEnd);
  Bytes chunk;
  for (auto _ : state) {
    chunk = plain;
    if (!sender.protect(chunk, headerEnd) || !receiver.unprotect(chunk, headerEnd)) {
      state.SkipWithError("protect/unprotect failed");
      break;
    }
    benchmark::DoNotOptimize(chunk.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * plain.size()));
}

void BM_SymmetricChunk(benchmark::State& state, std::string_view uri, SecurityMode mode) {
  const SecurityPolicy& policy = *findSecurityPolicy(uri);
  const ChannelKeys keys = deriveChannelKeys(policy, Bytes(32, 1), Bytes(32, 2)).value();
  auto client = SymmetricSecurity::create(policy, mode, keys, ChannelSide::kClient).value();
  auto server = SymmetricSecurity::create(policy, mode, keys, ChannelSide::kServer).value();
  runRoundTrips(state, *client, *server, 16);
}

void BM_AsymmetricChunk(benchmark::State& state, std::string_view uri) {
  static const PkeyPtr clientKey = generateRsaKey(2048).value();
  static const PkeyPtr serverKey = generateRsaKey(2048).value();
  const SecurityPolicy& policy = *findSecurityPolicy(uri);
  auto client = AsymmetricSecurity::create(policy, SecurityMode::kSignAndEncrypt, clientKey.get(),
                                           serverKey.get())
                    .value();
  auto server = AsymmetricSecurity::create(policy, SecurityMode::kSignAndEncrypt, serverKey.get(),
                                           clientKey.get())
                    .value();
  runRoundTrips(state, *client, *server, 100);
}

BENCHMARK_CAPTURE(BM_SymmetricChunk, Basic256Sha256_Sign, kPolicyBasic256Sha256Uri,
                  SecurityMode::kSign);
BENCHMARK_CAPTURE(BM_SymmetricChunk, Basic256Sha256_SignAndEncrypt, kPolicyBasic256Sha256Uri,
                  SecurityMode::kSignAndEncrypt);
BENCHMARK_CAPTURE(BM_SymmetricChunk, Aes128_Sha256_RsaOaep_Sign, kPolicyAes128Sha256RsaOaepUri,
                  SecurityMode::kSign);
BENCHMARK_CAPTURE(BM_SymmetricChunk, Aes128_Sha256_RsaOaep_SignAndEncrypt,
                  kPolicyAes128Sha256RsaOaepUri, SecurityMode::kSignAndEncrypt);
BENCHMARK_CAPTURE(BM_SymmetricChunk, Aes256_Sha256_RsaPss_Sign, kPolicyAes256Sha256RsaPssUri,
                  SecurityMode::kSign);
BENCHMARK_CAPTURE(BM_SymmetricChunk, Aes256_Sha256_RsaPss_SignAndEncrypt,
                  kPolicyAes256Sha256RsaPssUri, SecurityMode::kSignAndEncrypt);
BENCHMARK_CAPTURE(BM_AsymmetricChunk, Basic256Sha256, kPolicyBasic256Sha256Uri);
BENCHMARK_CAPTURE(BM_AsymmetricChunk, Aes128_Sha256_RsaOaep, kPolicyAes128Sha256RsaOaepUri);
BENCHMARK_CAPTURE(BM_AsymmetricChunk, Aes256_Sha256_RsaPss, kPolicyAes256Sha256RsaPssUri);

}  // namespace

BENCHMARK_MAIN();
