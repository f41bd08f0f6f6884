// `spindle upload FILE`: sends a file the operator has (a journal export, a capture) to the
// uploads bucket through the edge's upload queue (upload/upload_queue.hpp). When `spindle run`
// is sending from the same data directory, the file is queued for it and the command returns;
// otherwise the command sends it itself and waits: an interrupted upload stays queued and
// resumes from its last accepted part at the next `spindle run` or `spindle upload`.

#include <csignal>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "cli/command.hpp"
#include "cli/config_loading.hpp"
#include "net/http/https_options.hpp"
#include "net/net_options.hpp"
#include "net/proxy.hpp"
#include "net/resolver_chain.hpp"
#include "upload/upload_queue.hpp"

namespace spindle::cli {
namespace {

namespace fs = std::filesystem;

struct UploadArgs {
  std::string file;
  std::string config = "spindle.yaml";
  std::string key;
  std::string url;
  bool deleteAfter = false;
};

/// Sends with a queue of this process until `id` is in the bucket, refused for good, or a
/// signal stops it. The exit code.
int sendHere(const app::SpindleConfig& config, upload::UploadRequest request) {
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  std::thread ioThread([&io] { io.run(); });
  const auto finish = [&](int code) {
    work.reset();
    io.stop();
    ioThread.join();
    return code;
  };
  auto resolver = net::ResolverChain::create(io.get_executor(), net::resolverOptions(config.net));
  auto proxy = net::proxySettings(config.net);
  if (!resolver || !proxy) {
    std::cerr << "spindle upload: " << (resolver ? proxy.error() : resolver.error()).describe()
              << "\n";
    return finish(kExitUsage);
  }
  auto options = net::http::clientOptions(config.https, config.edge.id, *proxy, *resolver);
  options.maxConnectionsPerHost = 4;
  auto client = net::http::HttpClient::create(std::move(options));
  if (!client) {
    std::cerr << "spindle upload: " << client.error().describe() << "\n";
    (*resolver)->stop();
    return finish(kExitFailure);
  }
  auto queue = upload::UploadQueue::create(
      config.uploads.value_or(upload::UploadOptions{}), config.edge.dataDir,
      std::shared_ptr<net::http::HttpClient>(std::move(*client)));
  if (!queue) {
    std::cerr << "spindle upload: " << queue.error().describe() << "\n";
    (*resolver)->stop();
    return finish(kExitFailure);
  }
  std::mutex mutex;
  std::optional<upload::UploadDone> mine;
  std::string id;
  (*queue)->onFinished([&](const upload::UploadDone& done) {
    std::lock_guard lock(mutex);
    if (done.id == id) mine = done;
    if (done.id != id) {
      std::cerr << "spindle upload: an earlier upload " << done.id
                << (done.ok ? " is in the bucket" : " was refused: " + done.error) << "\n";
    }
  });
  {
    std::lock_guard lock(mutex);
    auto queued = (*queue)->enqueue(std::move(request));
    if (!queued) {
      std::cerr << "spindle upload: " << queued.error().describe() << "\n";
      (*resolver)->stop();
      return finish(kExitUsage);
    }
    id = *queued;
  }
  // SIGINT and SIGTERM are taken here (blocked in every thread, waited for below).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  (*queue)->start();
  std::cerr << "spindle upload: sending " << id << "\n";
  int code = kExitOk;
  while (true) {
    {
      std::lock_guard lock(mutex);
      if (mine) {
        if (mine->ok) {
          std::cout << "uploaded: " << id << " is in the bucket"
                    << (mine->key.empty() ? "" : " as " + mine->key) << "\n";
        } else {
          std::cerr << "spindle upload: refused: " << mine->error
                    << " (kept in the queue; it is tried again at the next start)\n";
          code = kExitFailure;
        }
        break;
      }
    }
    const timespec wait{0, 200'000'000};
    if (sigtimedwait(&signals, nullptr, &wait) > 0) {
      std::cerr << "spindle upload: stopped; " << id
                << " stays queued and resumes from its last accepted part at the next `spindle "
                   "run` or `spindle upload`\n";
      code = kExitFailure;
      break;
    }
  }
  (*queue)->stop(/*cancelInFlight=*/true);
  (*resolver)->stop();
  return finish(code);
}

}  // namespace

Command addUploadCommand(CLI::App& app) {
  auto args = std::make_shared<UploadArgs>();
  auto* cmd = app.add_subcommand(
      "upload", "send a file to the uploads bucket (queued for spindle run when it runs)");
  cmd->add_option("file", args->file, "the file (a journal export, a capture)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-c,--config", args->config, "spindle.yaml (uploads:, https:, net:, edge:)")
      ->capture_default_str();
  cmd->add_option("--key", args->key,
                  "object key below uploads.prefix (default: files/<edge>/<file name>)");
  cmd->add_option("--url", args->url, "a presigned https:// PUT URL instead of signing");
  cmd->add_flag("--delete-after", args->deleteAfter, "remove the file once the bucket has it");

  return {cmd, [args](const CommandContext& ctx) {
            auto loaded = loadConfiguration(args->config, false, ctx.registry,
                                            transform::store::StoreAccess::kCacheFirst);
            if (!loaded.config) {
              printDiagnostics(loaded.diagnostics);
              return kExitUsage;
            }
            const app::SpindleConfig& config = *loaded.config;
            if (!args->url.empty() && args->url.rfind("https://", 0) != 0) {
              std::cerr << "spindle upload: --url must be a presigned https:// PUT URL\n";
              return kExitUsage;
            }
            std::error_code ec;
            upload::UploadRequest request;
            request.path = fs::absolute(args->file, ec).lexically_normal().string();
            request.key = args->key.empty() ? "files/" + config.edge.id + "/" +
                                                  fs::path(args->file).filename().string()
                                            : args->key;
            request.presignedUrl = args->url;
            request.deleteAfter = args->deleteAfter;
            request.metadata = {{"spindle-edge", config.edge.id}, {"spindle-kind", "file"}};
            // Block the signals before any thread starts, so only sigtimedwait sees them.
            sigset_t signals;
            sigemptyset(&signals);
            sigaddset(&signals, SIGINT);
            sigaddset(&signals, SIGTERM);
            pthread_sigmask(SIG_BLOCK, &signals, nullptr);
            if (upload::UploadQueue::sendingElsewhere(config.edge.dataDir)) {
              // spindle run sends from this folder: leave the record for it to adopt.
              auto queue = upload::UploadQueue::create(
                  config.uploads.value_or(upload::UploadOptions{}), config.edge.dataDir, nullptr);
              auto id = queue ? (*queue)->enqueue(std::move(request))
                              : Result<std::string>(queue.error());
              if (!id) {
                std::cerr << "spindle upload: " << id.error().describe() << "\n";
                return kExitUsage;
              }
              std::cout << "queued: " << *id
                        << "; spindle run sends it (its status lists the uploads)\n";
              return kExitOk;
            }
            return sendHere(config, std::move(request));
          }};
}

}  // namespace spindle::cli
