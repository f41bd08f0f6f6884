// The requirements sheet (shared/seed-network-requirements.txt) as the two built-in profiles.
// `spindle netcheck --profile NAME --show-profile` prints them; copy one to start a custom
// profile. Wildcard rows (*.balena-cloud.com) are proven through concrete hosts under them.
#include <map>

#include "netcheck/profile.hpp"

namespace spindle::netcheck {
namespace {

const std::string kCommercial =
    R"yaml(# Commercial cloud: every row of the requirements sheet.
name: commercial
description: Commercial cloud
dns:
  servers: [8.8.8.8, 8.8.4.4]       # Google DNS, used by default; fallback: configured, then DHCP
  lookup: api.machinemetrics.com
ntp:
  servers: [0.resinio.pool.ntp.org, 1.resinio.pool.ntp.org, pool.ntp.org]
  max_offset: 1s
endpoints:
  - {host: api.machinemetrics.com, port: 443, checks: [tcp, tls, https],
     what: cloud communication}
  - {host: app.machinemetrics.com, port: 443, checks: [tcp, tls, https],
     what: cloud communication}
  - {host: api.balena-cloud.com, port: 443, checks: [tcp, tls, https],
     what: Software updates, row: "*.balena-cloud.com"}
  - {host: registry2.balena-cloud.com, port: 443, checks: [tcp, tls, https], path: /v2/,
     what: Software updates, row: "*.balena-cloud.com"}
  - {host: cloudlink.balena-cloud.com, port: 443, checks: [tcp],
     what: "Remote diagnostics and OS updates (a VPN tunnel on 443, not HTTPS)"}
  - {host: notify.bugsnag.com, port: 443, checks: [tcp, tls, https], what: Bug reporting}
  - {host: mm-adapter-store.s3.us-west-2.amazonaws.com, port: 443, checks: [tcp, tls, https],
     expect_header: x-amz-request-id, what: Machine data communication}
  - {host: mm-edge-uploads.s3.us-west-2.amazonaws.com, port: 443, checks: [tcp, tls, https],
     expect_header: x-amz-request-id, what: Machine data communication}
  - {host: machinemetrics-deploy.s3.us-west-2.amazonaws.com, port: 443, checks: [tcp, tls, https],
     expect_header: x-amz-request-id, what: Machine data communication}
  - {host: machinemetrics-public.s3.us-west-2.amazonaws.com, port: 443, checks: [tcp, tls, https],
     expect_header: x-amz-request-id, what: Machine data communication}
  - {host: prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com, port: 443,
     checks: [tcp, tls, https], expect_header: x-amz-request-id,
     what: Machine data communication}
  - {host: 352302322568.dkr.ecr.us-west-2.amazonaws.com, port: 443, checks: [tcp, tls, https],
     path: /v2/, expect_header: docker-distribution-api-version,
     what: Software container updates}
  - {host: 54.218.103.126, port: 7422, checks: [tcp, nats],
     what: NATS (tool monitoring and edge health)}
  - {host: 52.24.16.63, port: 7422, checks: [tcp, nats],
     what: NATS (tool monitoring and edge health)}
  - {host: 52.34.161.223, port: 7422, checks: [tcp, nats],
     what: NATS (tool monitoring and edge health)}
  - {host: 35.155.82.103, port: 7422, checks: [tcp, nats],
     what: NATS (tool monitoring and edge health)}
)yaml";

const std::string kGovcloud =
    R"yaml(# GovCloud: every GovCloud row of the requirements sheet.
name: govcloud
description: GovCloud
dns:
  servers: [8.8.8.8, 8.8.4.4]       # Google DNS, used by default; fallback: configured, then DHCP
  lookup: api.machinemetrics-us-gov.com
ntp:
  servers: [0.resinio.pool.ntp.org, 1.resinio.pool.ntp.org, pool.ntp.org]
  max_offset: 1s
endpoints:
  - {host: api.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: cloud communication}
  - {host: 18.252.129.108, port: 443, checks: [tcp, tls], tls_name: api.machinemetrics-us-gov.com,
     what: cloud communication (static IP), row: api.machinemetrics-us-gov.com}
  - {host: 18.254.70.116, port: 443, checks: [tcp, tls], tls_name: api.machinemetrics-us-gov.com,
     what: cloud communication (static IP), row: api.machinemetrics-us-gov.com}
  - {host: 182.30.131.220, port: 443, checks: [tcp, tls], tls_name: api.machinemetrics-us-gov.com,
     what: cloud communication (static IP), row: api.machinemetrics-us-gov.com}
  - {host: app.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: cloud communication}
  - {host: stream.machinemetrics-us-gov.com, port: 7422, checks: [tcp, nats],
     what: NATS (tool monitoring and edge health)}
  - {host: 18.252.129.108, port: 7422, checks: [tcp, nats],
     what: GovCloud NATS endpoint, row: "stream.machinemetrics-us-gov.com:7422"}
  - {host: 18.254.70.116, port: 7422, checks: [tcp, nats],
     what: GovCloud NATS endpoint, row: "stream.machinemetrics-us-gov.com:7422"}
  - {host: 182.30.131.220, port: 7422, checks: [tcp, nats],
     what: GovCloud NATS endpoint, row: "stream.machinemetrics-us-gov.com:7422"}
  - {host: api.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: Software updates}
  - {host: ca.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: Software updates}
  - {host: cloudlink.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp],
     what: "Remote diagnostics and OS updates (a VPN tunnel on 443, not HTTPS)"}
  - {host: logs.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: Software updates}
  - {host: ocsp.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: Software updates}
  - {host: registry2.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     path: /v2/, what: Software updates}
  - {host: s3.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls, https],
     what: Software updates}
  - {host: tunnel.balena.machinemetrics-us-gov.com, port: 443, checks: [tcp, tls],
     what: Software updates}
  - {host: 18.253.182.20, port: 443, checks: [tcp, tls],
     tls_name: api.balena.machinemetrics-us-gov.com,
     what: Software updates (static IP of the balena.machinemetrics-us-gov.com hosts),
     row: "*.balena.machinemetrics-us-gov.com"}
  - {host: machinemetrics-adapter-store.s3.us-gov-east-1.amazonaws.com, port: 443,
     checks: [tcp, tls, https], expect_header: x-amz-request-id,
     what: Machine data communication}
  - {host: machinemetrics-govcloud-edge-uploads.s3.us-gov-east-1.amazonaws.com, port: 443,
     checks: [tcp, tls, https], expect_header: x-amz-request-id,
     what: Machine data communication}
  - {host: machinemetrics-deploy.s3.us-gov-east-1.amazonaws.com, port: 443,
     checks: [tcp, tls, https], expect_header: x-amz-request-id,
     what: Machine data communication}
  - {host: machinemetrics-govcloud-public.s3.us-gov-east-1.amazonaws.com, port: 443,
     checks: [tcp, tls, https], expect_header: x-amz-request-id,
     what: Machine data communication}
  - {host: 139811071765.dkr.ecr.us-gov-east-1.amazonaws.com, port: 443, checks: [tcp, tls, https],
     path: /v2/, expect_header: docker-distribution-api-version, what: Software updates}
)yaml";

const std::map<std::string, const std::string*>& profiles() {
  static const std::map<std::string, const std::string*> all{{"commercial", &kCommercial},
                                                             {"govcloud", &kGovcloud}};
  return all;
}

}  // namespace

std::vector<std::string> builtinProfileNames() { return {"commercial", "govcloud"}; }

const std::string* builtinProfileText(const std::string& name) {
  auto it = profiles().find(name);
  return it == profiles().end() ? nullptr : it->second;
}

}  // namespace spindle::netcheck
