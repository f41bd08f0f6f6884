#pragma once
/// The opcua collector: Spindle's own OPC UA client (src/opcua/, no vendor library) reading the
/// nodes the machine's script names in `tags`, by subscription (or by polling), on one session
/// per machine that always recovers (opcua_session.hpp says how). Each tag is reported under
/// its name; a node the server does not have, refuses or reports Bad is UNAVAILABLE and said
/// once in the log; every node is UNAVAILABLE while the server is away. Values carry the
/// server's source timestamps unless `timestamps` says otherwise (opcua_codec.hpp).

#include <memory>
#include <string>
#include <vector>

#include "collectors/collector.hpp"
#include "collectors/opcua/opcua_options.hpp"
#include "collectors/opcua/opcua_session.hpp"
#include "collectors/opcua/opcua_tags.hpp"
#include "collectors/registry.hpp"

namespace spindle::collectors::opcua {

/// One node the script reads: its name (the key its values are reported under) and its tag.
struct ScriptTag {
  std::string name;
  TagNode node;
};

/// The script's tags, each name once; an error naming the tag when one does not parse or uses
/// an alias `aliases` lacks; an error when the script names no tags (an OPC UA machine reads
/// only what its script names).
Result<std::vector<ScriptTag>> scriptTags(const transform::CompiledScript* script,
                                          const std::map<std::string, std::string>& aliases);

/// The session's settings from the machine's options. `dataDir`: where the PKI folder lives by
/// default. Reads the password file (the error names the file).
Result<SessionSettings> sessionSettings(const OpcuaOptions& options, const std::string& machine,
                                        const std::string& dataDir, ResolveFn resolve);

class OpcuaCollector final : public Collector {
 public:
  explicit OpcuaCollector(OpcuaOptions options);
  ~OpcuaCollector() override;

  Status start(CollectorContext& context) override;
  void stop() override;
  SessionStats stats() const;

 private:
  class Connection;
  OpcuaOptions m_options;
  std::shared_ptr<Connection> m_connection;
};

/// Registers the collector under the type name "opcua".
void registerCollector(Registry& registry);

}  // namespace spindle::collectors::opcua
