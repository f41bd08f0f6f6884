#include "net/resolv_conf.hpp"

#include <fstream>
#include <sstream>

namespace spindle::net {

std::vector<ServerAddress> parseResolvConf(std::string_view text) {
  std::vector<ServerAddress> out;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (const auto hash = line.find_first_of("#;"); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::string keyword;
    std::string value;
    if (!(words >> keyword >> value) || keyword != "nameserver") continue;
    if (const auto percent = value.find('%'); percent != std::string::npos) {
      value.resize(percent);  // a scoped link-local address: the scope cannot be used here
    }
    ServerAddress server{value, 53};
    if (server.isIpLiteral()) out.push_back(std::move(server));
  }
  return out;
}

Result<std::vector<ServerAddress>> readResolvConf(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kNotFound, "cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parseResolvConf(buffer.str());
}

}  // namespace spindle::net
